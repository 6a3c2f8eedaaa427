/*
 * peer_sacado.cpp: Trilinos' Sacado in `make bench-peers`: Sacado::Fad::SFad
 * (K directions, fixed at compile time) and DFad (all n directions in one
 * pass, sized at run time) for dense Jacobians and gradients, and
 * Sacado::Rad::ADvar (reverse mode: record, then ADcontext::Gradcomp) for
 * gradients. Sacado has no sparse Jacobian driver, and Rad computes the
 * gradient of one output a recording.
 *
 * Debian 12's libtrilinos-sacado-dev configures Sacado with Kokkos, Teuchos
 * and MPI, whose headers and libraries it does not depend on; the Fad and
 * Rad types need none of them, so this program skips Trilinos' generated
 * configuration (TRILINOS_NO_CONFIG_H) and sets the three switches that
 * matter here as that configuration does, with Kokkos' force-inline
 * attribute for the operations Sacado marks so.
 *
 * Usage: peer_sacado [--quick] [--out DIR]
 */
#define TRILINOS_NO_CONFIG_H 1
#define HAVE_SACADO_CXX11 1
#define SACADO_NEW_FAD_DESIGN_IS_DEFAULT 1
#define SACADO_FORCEINLINE_FUNCTION inline __attribute__((always_inline))
#include <Sacado_No_Kokkos.hpp>

#include "peer_common.hpp"

namespace {

template <int N> struct sfad_tool {
    typedef Sacado::Fad::SFad<double, N> type;
    static const int K = N;
    static std::string name() { return "SFad<" + std::to_string(N) + "> fwd"; }
    static type make(double v, int) { return type(N, v); }
    static void set_val(type &t, double v) { t.val() = v; }
    static void set_dx(type &t, int i, double d) { t.fastAccessDx(i) = d; }
    static double dx(const type &t, int i) { return t.fastAccessDx(i); }
};

struct dfad_tool {
    typedef Sacado::Fad::DFad<double> type;
    static const int K = 0; /* all n directions in one pass */
    static type make(double v, int k) { return type(k, v); }
    static void set_val(type &t, double v) { t.val() = v; }
    static void set_dx(type &t, int i, double d) { t.fastAccessDx(i) = d; }
    static double dx(const type &t, int i) { return t.dx(i); }
};

/* Rad: every call records the function on fresh variables and sweeps; the
 * memory of the previous recording is reused once Gradcomp has run. */
struct rad_gradient {
    typedef Sacado::Rad::ADvar<double> S;
    const peer_case *c;
    std::vector<double> out;
    explicit rad_gradient(const peer_case *c_) : c(c_), out(c_->n) {}
    void operator()()
    {
        std::vector<S> X(c->x, c->x + c->n);
        S y;
        peer::eval(&y, X.data(), c);
        Sacado::Rad::ADcontext<double>::Gradcomp();
        for (std::size_t j = 0; j < c->n; j++)
            out[j] = X[j].adj();
        peer::sink = out[0];
    }
};

void body(peer_run *r, const peer_case *c)
{
    peer::forward_widths<sfad_tool>(r, c);
    if (c->kind == PEER_SPARSE) {
        peer_unavailable(r, c, "sparse", "none: Sacado has no sparse Jacobian driver");
        return;
    }
    if (c->n <= 1000) {
        peer::forward<dfad_tool> f(c);
        peer::measure(r, c, "DFad<n> fwd, one pass", f, f.out.data());
    } else {
        peer_unavailable(r, c, "DFad<n> fwd, one pass", "skipped: n > 1000 directions");
    }
    if (c->kind == PEER_GRADIENT) {
        rad_gradient g(c);
        peer::measure(r, c, "Rad gradient (record + sweep)", g, g.out.data());
    } else {
        peer_unavailable(r, c, "Rad", "not timed: one recording per row of J");
    }
}

} // namespace

int main(int argc, char **argv) { return peer::run_cases(argc, argv, "Sacado", body); }
