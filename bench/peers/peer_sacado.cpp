/*
 * peer_sacado.cpp: Trilinos' Sacado in `make bench-peers`: Sacado::Fad::SFad
 * (K directions, fixed at compile time) and DFad (all n directions in one
 * pass, sized at run time) for dense Jacobians and gradients, and
 * Sacado::Rad::ADvar (reverse mode: record, then ADcontext::Gradcomp) for
 * gradients. Sacado has no sparse Jacobian driver, and Rad computes the
 * gradient of one output a recording.
 *
 * Second derivatives, by nesting its types (Sacado has no Hessian driver):
 * reverse over forward, Rad::ADvar<Fad::SFad<double, K>>, one recording
 * and sweep giving H times K directions (H v with K = 1; the dense H by
 * n/K recordings of unit directions; the sparse H by one recording of the
 * star coloring's compressed seed, read as cases.c says), and forward over
 * forward, SFad<SFad<double, KI>, KO> (H v by n/KO passes, the dense H by
 * symmetric blocks).
 *
 * Debian 12's libtrilinos-sacado-dev configures Sacado with Kokkos, Teuchos
 * and MPI, whose headers and libraries it does not depend on; the Fad and
 * Rad types need none of them, so this program skips Trilinos' generated
 * configuration (TRILINOS_NO_CONFIG_H) and sets the three switches that
 * matter here as that configuration does, with Kokkos' force-inline
 * attribute for the operations Sacado marks so.
 *
 * Usage: peer_sacado [--quick] [--only TEXT] [--out DIR]
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

/* SFad<SFad<double, KI>, KO>: forward over forward (peer_common.hpp). */
template <int KI_, int KO_> struct sfad2_tool {
    typedef Sacado::Fad::SFad<double, KI_> inner;
    typedef Sacado::Fad::SFad<inner, KO_> type;
    static const int KI = KI_, KO = KO_;
    static std::string name()
    {
        return "SFad<SFad<" + std::to_string(KI) + ">; " + std::to_string(KO) + "> fwd-over-fwd";
    }
    static type make(double v) { return type(KO, inner(KI, v)); }
    static void set_val(type &t, double v) { t.val().val() = v; }
    static void set_inner(type &t, int a, double d) { t.val().fastAccessDx(a) = d; }
    static void set_outer(type &t, int b, double d) { t.fastAccessDx(b).val() = d; }
    static double second(const type &t, int b, int a) { return t.fastAccessDx(b).fastAccessDx(a); }
};

/* Rad over SFad<K>: one recording with every input's tangent seeded by
 * the K columns of a seed (H v: v; the dense H: K unit vectors a
 * recording; the sparse H: the star coloring's compressed seed), one
 * sweep, then each input's adjoint tangent d is row i of H times seed
 * column d. */
template <int K> struct rad_fad {
    typedef Sacado::Fad::SFad<double, K> F;
    typedef Sacado::Rad::ADvar<F> S;
    const peer_case *c;
    std::vector<double> out;
    std::vector<F> seed; /* every input's value and tangents */
    explicit rad_fad(const peer_case *c_) : c(c_), out(c_->nref), seed(c_->n, F(K, 0.0))
    {
        for (std::size_t j = 0; j < c->n; j++) {
            seed[j].val() = c->x[j];
            if (c->kind == PEER_HVP)
                seed[j].fastAccessDx(0) = c->v[j];
            else if (c->kind == PEER_SPARSE_HESSIAN)
                seed[j].fastAccessDx(int(c->hsparse.colors.color[j])) = 1.0;
        }
    }
    void sweep(std::vector<S> &X)
    {
        X.assign(seed.begin(), seed.end());
        S y;
        peer::eval(&y, X.data(), c);
        Sacado::Rad::ADcontext<F>::Gradcomp();
    }
    void operator()()
    {
        std::vector<S> X;
        std::size_t n = c->n;
        if (c->kind == PEER_HVP) {
            sweep(X);
            for (std::size_t j = 0; j < n; j++)
                out[j] = X[j].adj().fastAccessDx(0);
        } else if (c->kind == PEER_SPARSE_HESSIAN) {
            sweep(X);
            for (std::size_t e = 0; e < c->nref; e++)
                out[e] = X[c->hread_row[e]].adj().fastAccessDx(int(c->hread_color[e]));
        } else {
            for (std::size_t p0 = 0; p0 < n; p0 += K) {
                int kk = int(std::min<std::size_t>(K, n - p0));
                for (int d = 0; d < kk; d++)
                    seed[p0 + std::size_t(d)].fastAccessDx(d) = 1.0;
                sweep(X);
                for (int d = 0; d < kk; d++)
                    seed[p0 + std::size_t(d)].fastAccessDx(d) = 0.0;
                for (std::size_t i = 0; i < n; i++)
                    for (int d = 0; d < kk; d++)
                        out[i * n + p0 + std::size_t(d)] = X[i].adj().fastAccessDx(d);
            }
        }
        peer::sink = out[0];
    }
};

template <int K> void measure_rad_fad(peer_run *r, const peer_case *c, const char *what)
{
    rad_fad<K> f(c);
    peer::measure(r, c, "Rad<SFad<" + std::to_string(K) + ">> rev-over-fwd" + what, f,
                  f.out.data());
}

void hessians(peer_run *r, const peer_case *c)
{
    switch (c->kind) {
    case PEER_HVP:
        measure_rad_fad<1>(r, c, "");
        peer::forward2_hvp<sfad2_tool<1, 16>>(r, c);
        break;
    case PEER_HESSIAN:
        measure_rad_fad<8>(r, c, ", n/8 recordings");
        measure_rad_fad<16>(r, c, ", n/16 recordings");
        peer::forward2_dense<sfad2_tool<8, 8>, sfad2_tool<16, 16>>(r, c);
        break;
    case PEER_SPARSE_HESSIAN:
        peer_unavailable(r, c, "sparse", "none: Sacado has no sparse Hessian driver");
        if (c->hsparse.colors.count <= 4)
            measure_rad_fad<4>(r, c, ", compressed seed");
        else
            peer_unavailable(r, c, "Rad<SFad<4>>, compressed seed", "more than 4 colors");
        break;
    default: break;
    }
}

void body(peer_run *r, const peer_case *c)
{
    if (c->kind == PEER_HVP || c->kind == PEER_HESSIAN || c->kind == PEER_SPARSE_HESSIAN) {
        hessians(r, c);
        return;
    }
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
