/*
 * dualjac/common.h: what every part of dualjac shares.
 *
 * Status codes: every function that allocates, checks shapes or parses returns
 * an `int` from the dj_status enum (DJ_OK is 0); dj_strerror() names it.
 * Element-wise maths never returns a status: NaN and Inf carry domain errors,
 * and the events below say where they came from.
 *
 * Events: elementary functions that hit a kink (|x| at 0, a tie in fmin) or the
 * edge of their domain (sqrt at 0, log at 0) record it in a per-thread event
 * word, like errno. The drivers clear it before an evaluation and return it in
 * dj_report, together with DJ_EVENT_NONFINITE when an output became NaN or Inf
 * from finite inputs.
 *
 * NaN-safe mode (per thread, off by default): at the singular points of the
 * elementary functions, where a local partial derivative is infinite or NaN
 * (sqrt(0), log(0), pow(0, 0.5), asin(1), ...), and at division by zero, a
 * zero tangent times that partial stays zero, direction by direction, so that
 * one input at sqrt(0) does not poison the columns of the other inputs. The
 * graph's sweeps do the same with a zero adjoint (reverse mode) or tangent,
 * so forward and reverse mode agree there. Other arithmetic (+, -, *, fma)
 * follows IEEE: there a partial is an operand's value, infinite only once
 * the function value itself has overflowed.
 */
#ifndef DUALJAC_COMMON_H
#define DUALJAC_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DJ_VERSION_MAJOR 0
#define DJ_VERSION_MINOR 1
#define DJ_VERSION_PATCH 0
#define DJ_VERSION_STRING "0.1.0"

/* DJ_API marks the library's exported symbols (built with -fvisibility=hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define DJ_API __attribute__((visibility("default")))
#define DJ_NODISCARD __attribute__((warn_unused_result))
#define DJ_LIKELY(x) __builtin_expect(!!(x), 1)
#define DJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define DJ_COLD __attribute__((cold, noinline, unused))
/* For the per-operation fast paths: gcc's -O2 size limit otherwise leaves
 * some out of line, and then every dj_var goes through memory. */
#define DJ_INLINE static inline __attribute__((always_inline))
#else
#define DJ_API
#define DJ_NODISCARD
#define DJ_LIKELY(x) (x)
#define DJ_UNLIKELY(x) (x)
#define DJ_COLD inline
#define DJ_INLINE static inline
#endif

/* The instantiations of a dj_fn take y and x as restrict pointers: told that
 * the stores to y cannot change x, the compiler keeps x in registers instead
 * of reloading it after every store, which shows in arithmetic-only bodies
 * (bench_forward's + and x function). */
#if !defined(__cplusplus)
#define DJ_RESTRICT restrict
#elif defined(__GNUC__) || defined(__clang__)
#define DJ_RESTRICT __restrict__
#else
#define DJ_RESTRICT
#endif

/* Fully unroll the fixed-width tangent loops: gcc -O2 keeps a multi-dual in
 * registers only once its loops are unrolled, and spills it to memory on
 * every operation otherwise. */
#if defined(__clang__)
#define DJ__UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define DJ__UNROLL _Pragma("GCC unroll 16")
#else
#define DJ__UNROLL
#endif

/* Status codes returned by every function that can fail. */
typedef enum dj_status {
    DJ_OK = 0,        /* success */
    DJ_ENOMEM,        /* an allocation failed; every object is still valid */
    DJ_EDIM,          /* sizes are zero, inconsistent or do not match */
    DJ_EINVAL,        /* an argument is invalid (null pointer, bad option) */
    DJ_ERANGE,        /* a size or count exceeds what the library can represent */
    DJ_ECHUNK,        /* a chunk width the library does not have (1, 2, 4, 8, 16) */
    DJ_ENOTSUP,       /* the function lacks the instantiation this mode needs */
    DJ_EPARSE,        /* text could not be parsed */
    DJ_EBRANCH,       /* replay at a new point would take another recorded branch */
    DJ_EGRAPH,        /* graph misuse: variables from another or a cleared graph */
    DJ_ENONFINITE,    /* strict mode: a value or derivative became NaN or Inf */
    DJ_ESINGULAR,     /* a matrix is singular (det, solve) */
    DJ_EBUSY,         /* a workspace is in use by another call at the same time */
    DJ_STATUS_COUNT_  /* number of codes; not a status */
} dj_status;

/* Returns a one-line description of a status code (never NULL). */
DJ_API const char *dj_strerror(int status);

/* Returns the library's version string, e.g. "0.1.0". */
DJ_API const char *dj_version(void);

/* Event bits, ORed into the calling thread's event word. */
enum dj_event {
    DJ_EVENT_KINK = 1u,      /* a non-differentiable point; a documented one-sided
                                or minimal-norm derivative was used */
    DJ_EVENT_EDGE = 2u,      /* the edge of a domain (sqrt(0), log(0), asin(1)):
                                the derivative is infinite or one-sided */
    DJ_EVENT_NONFINITE = 4u  /* an output value or derivative is NaN or Inf
                                although every input was finite (drivers only) */
};

/* Returns the events recorded on this thread since the last dj_events_clear(). */
DJ_API unsigned dj_events(void);
/* Clears this thread's event word. */
DJ_API void dj_events_clear(void);
/* Records an event on this thread (used by the elementary functions). */
DJ_API void dj_event_raise(unsigned events);

/* Turns NaN-safe mode on (nonzero) or off for this thread; returns the old mode. */
DJ_API int dj_nansafe_set(int on);
/* Returns nonzero when NaN-safe mode is on for this thread. */
DJ_API int dj_nansafe(void);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_COMMON_H */
