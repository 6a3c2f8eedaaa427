cross_inputs = 2.6373
model_inputs = 2.5
cross_outputs = 62.4063
model_outputs = 48.5
