/*
 * peer_adolc.cpp: ADOL-C in `make bench-peers`. The function is taped once
 * on adoubles (trace_on ... trace_off) and the tape is evaluated at the
 * point by ADOL-C's drivers: jacobian() (which picks forward or reverse
 * itself), fov_forward with n directions, zos_forward + fov_reverse with m
 * directions, gradient(). Each is timed on the existing tape (ADOL-C's
 * fastest case, valid while the control flow does not change) and, for
 * jacobian() and gradient(), with the taping included.
 *
 * Sparse Jacobians: sparse_jac() needs ColPack, which Debian 12's libadolc
 * is built without (it reports so and throws); when it fails, the program
 * times what it does after coloring, fov_forward with the compressed seed
 * of the same column coloring dualjac found, and the scatter into CSR.
 *
 * Second derivatives: hess_vec (H v), hessian (its lower triangle, copied
 * to the upper one inside the timed call, as the comparison asks for both),
 * each on the existing tape and with the taping included, and
 * sparse_hess, which also needs ColPack; without it the program times
 * what sparse_hess does after coloring, hess_mat with the compressed seed
 * of dualjac's star coloring, and each entry read from the product as
 * cases.c says.
 *
 * Each case runs in a child process of its own. ADOL-C's store of adouble
 * locations only grows, and every tape taped after a large one records
 * that store's size as its number of live locations, which the drivers
 * allocate and clear on every call: after the gradient of 10^5 inputs, a
 * hess_vec of 100 inputs took 25 ms instead of 15 us. A program that
 * differentiates one function does not pay for the cases before it.
 *
 * Usage: peer_adolc [--quick] [--only TEXT] [--out DIR]
 */
#include <adolc/adolc.h>
#include <adolc/adolc_sparse.h>

#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "peer_common.hpp"

namespace {

/* Tape buffers (elements) large enough that no tape goes to a file, and
 * no larger: trace_on allocates them on every taping. About 16 elements an
 * operation, over an estimate of the function's operations. */
unsigned buffer_size(const peer_case *c)
{
    std::size_t ops = 12 * c->n + 4 * c->m;
    if (c->id == PEER_CHAIN)
        ops += 2 * PEER_HIDDEN * (c->n + PEER_HIDDEN + c->m);
    if (c->id == PEER_LOGISTIC)
        ops += 2 * PEER_SAMPLES * c->n;
    std::size_t size = 16 * ops + 65536;
    return unsigned(size < (1u << 28) ? size : (1u << 28));
}

/* Tapes the case's function at its point on tag. */
void tape(const peer_case *c, short tag, std::vector<double> &y)
{
    std::size_t m = c->kind == PEER_GRADIENT ? 1 : c->m;
    unsigned buf = buffer_size(c);
    trace_on(tag, 0, buf, buf, buf, buf);
    {
        std::vector<adouble> X(c->n), Y(m);
        for (std::size_t j = 0; j < c->n; j++)
            X[j] <<= c->x[j];
        peer::eval(Y.data(), X.data(), c);
        for (std::size_t i = 0; i < m; i++)
            Y[i] >>= y[i];
    }
    trace_off();
}

/* Row pointers into a contiguous rows x cols block. */
std::vector<double *> rows_of(double *a, std::size_t rows, std::size_t cols)
{
    std::vector<double *> r(rows);
    for (std::size_t i = 0; i < rows; i++)
        r[i] = a + i * cols;
    return r;
}

void check(int rc, const char *what)
{
    if (rc < 0) {
        std::fprintf(stderr, "peer_adolc: %s returned %d\n", what, rc);
        std::exit(2);
    }
}

struct job {
    const peer_case *c;
    short tag;
    int n, m;
    bool retape;
    std::vector<double> out, y;
    std::vector<double> seed;  /* identity or compressed seed */
    std::vector<double *> out_rows, seed_rows;
    job(const peer_case *c_, short tag_, std::size_t out_rows_, std::size_t out_cols)
        : c(c_), tag(tag_), n(int(c_->n)), m(int(c_->kind == PEER_GRADIENT ? 1 : c_->m)),
          retape(false), out(out_rows_ * out_cols), y(std::size_t(m))
    {
        out_rows = rows_of(out.data(), out_rows_, out_cols);
    }
    void identity(std::size_t k)
    {
        seed.assign(k * k, 0.0);
        for (std::size_t i = 0; i < k; i++)
            seed[i * k + i] = 1.0;
        seed_rows = rows_of(seed.data(), k, k);
    }
};

struct jacobian_job : job {
    using job::job;
    void operator()()
    {
        if (retape)
            tape(c, tag, y);
        check(jacobian(tag, m, n, c->x, out_rows.data()), "jacobian");
        peer::sink = out[0];
    }
};

struct fov_forward_job : job {
    using job::job;
    void operator()()
    {
        check(fov_forward(tag, m, n, n, c->x, seed_rows.data(), y.data(), out_rows.data()),
              "fov_forward");
        peer::sink = out[0];
    }
};

struct fov_reverse_job : job {
    using job::job;
    void operator()()
    {
        check(zos_forward(tag, m, n, 1, c->x, y.data()), "zos_forward");
        check(fov_reverse(tag, m, n, m, seed_rows.data(), out_rows.data()), "fov_reverse");
        peer::sink = out[0];
    }
};

struct gradient_job : job {
    using job::job;
    void operator()()
    {
        if (retape)
            tape(c, tag, y);
        check(gradient(tag, n, c->x, out.data()), "gradient");
        peer::sink = out[0];
    }
};

/* fov_forward with the compressed seed S (n x colors), then each entry
 * read from its row and its column's color. */
struct compressed_job : job {
    std::vector<double> B;
    std::vector<double *> B_rows;
    std::vector<std::size_t> row;
    int colors;
    compressed_job(const peer_case *c_, short tag_)
        : job(c_, tag_, 1, c_->nref), colors(int(c_->sparse.columns.count))
    {
        const dj_pattern *p = &c->sparse.pattern;
        seed.assign(std::size_t(n) * std::size_t(colors), 0.0);
        for (int j = 0; j < n; j++)
            seed[std::size_t(j) * std::size_t(colors) + c->sparse.columns.color[j]] = 1.0;
        seed_rows = rows_of(seed.data(), std::size_t(n), std::size_t(colors));
        B.resize(std::size_t(m) * std::size_t(colors));
        B_rows = rows_of(B.data(), std::size_t(m), std::size_t(colors));
        row.resize(p->nnz);
        for (std::size_t i = 0; i < p->m; i++)
            for (std::size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
                row[e] = i;
    }
    void operator()()
    {
        check(fov_forward(tag, m, n, colors, c->x, seed_rows.data(), y.data(), B_rows.data()),
              "fov_forward");
        const dj_pattern *p = &c->sparse.pattern;
        for (std::size_t e = 0; e < p->nnz; e++)
            out[e] = B_rows[row[e]][c->sparse.columns.color[p->col[e]]];
        peer::sink = out[0];
    }
};

struct hess_vec_job : job {
    using job::job;
    void operator()()
    {
        if (retape)
            tape(c, tag, y);
        check(hess_vec(tag, n, c->x, c->v, out.data()), "hess_vec");
        peer::sink = out[0];
    }
};

struct hessian_job : job {
    using job::job;
    void operator()()
    {
        if (retape)
            tape(c, tag, y);
        check(hessian(tag, n, c->x, out_rows.data()), "hessian");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                out_rows[j][i] = out_rows[i][j];
        peer::sink = out[0];
    }
};

/* hess_mat with the compressed seed S (n x colors) of the star coloring,
 * then each entry read from H S where cases.c says. */
struct hess_mat_job : job {
    std::vector<double> W;
    std::vector<double *> W_rows;
    int colors;
    explicit hess_mat_job(const peer_case *c_, short tag_)
        : job(c_, tag_, 1, c_->nref), colors(int(c_->hsparse.colors.count))
    {
        std::size_t q = std::size_t(colors), nn = std::size_t(n);
        seed.assign(nn * q, 0.0);
        for (std::size_t j = 0; j < nn; j++)
            seed[j * q + c->hsparse.colors.color[j]] = 1.0;
        seed_rows = rows_of(seed.data(), nn, q);
        W.resize(nn * q);
        W_rows = rows_of(W.data(), nn, q);
    }
    void operator()()
    {
        check(hess_mat(tag, n, colors, c->x, seed_rows.data(), W_rows.data()), "hess_mat");
        for (std::size_t e = 0; e < c->nref; e++)
            out[e] = W_rows[c->hread_row[e]][c->hread_color[e]];
        peer::sink = out[0];
    }
};

/* sparse_hess with repeat = 1 (the pattern and seed of the first call
 * kept), its entries put in dualjac's CSR order by a map built once. */
struct sparse_hess_job : job {
    unsigned *ri = nullptr, *ci = nullptr;
    double *v = nullptr;
    int nnz = 0, opt[2] = {0, 0};
    std::vector<std::size_t> where;
    bool ok = false;
    explicit sparse_hess_job(const peer_case *c_, short tag_) : job(c_, tag_, 1, c_->nref)
    {
        try {
            ok = sparse_hess(tag, n, 0, c->x, &nnz, &ri, &ci, &v, opt) >= 0;
        } catch (...) {
            ok = false;
        }
        if (!ok || std::size_t(nnz) != c->nref) {
            ok = false;
            return;
        }
        const dj_pattern *p = &c->hsparse.pattern;
        where.resize(std::size_t(nnz));
        for (std::size_t k = 0; k < where.size(); k++) {
            std::size_t i = std::max(ri[k], ci[k]), j = std::min(ri[k], ci[k]), e;
            for (e = p->row_ptr[i]; e < p->row_ptr[i + 1] && p->col[e] != j; e++)
                ;
            if (e == p->row_ptr[i + 1]) {
                ok = false;
                return;
            }
            where[k] = e;
        }
    }
    ~sparse_hess_job() { std::free(ri), std::free(ci), std::free(v); }
    void operator()()
    {
        check(sparse_hess(tag, n, 1, c->x, &nnz, &ri, &ci, &v, opt), "sparse_hess");
        for (std::size_t k = 0; k < where.size(); k++)
            out[where[k]] = v[k];
        peer::sink = out[0];
    }
};

/* Whether sparse_jac works in this build of ADOL-C. */
const char *sparse_jac_missing()
{
    static int state = -1; /* -1 unknown, 0 works, 1 missing */
    if (state < 0) {
        double x[2] = {1, 2}, yv[2];
        trace_on(9);
        adouble a[2], b[2];
        a[0] <<= x[0];
        a[1] <<= x[1];
        b[0] = a[0] * a[0];
        b[1] = a[1] * 3.0;
        b[0] >>= yv[0];
        b[1] >>= yv[1];
        trace_off();
        int nnz = 0, opt[4] = {0, 0, 0, 0};
        unsigned *ri = nullptr, *ci = nullptr;
        double *v = nullptr;
        try {
            state = sparse_jac(9, 2, 2, 0, x, &nnz, &ri, &ci, &v, opt) < 0;
        } catch (...) {
            state = 1;
        }
        std::free(ri), std::free(ci), std::free(v);
        std::fflush(stderr);
    }
    return state ? "unavailable: this ADOL-C is built without ColPack" : nullptr;
}

void body(peer_run *r, const peer_case *c)
{
    const short tag = 1;
    std::vector<double> y(c->kind == PEER_GRADIENT ? 1 : c->m);
    tape(c, tag, y);
    std::size_t m = y.size(), n = c->n;
    switch (c->kind) {
    case PEER_JACOBIAN: {
        jacobian_job J(c, tag, m, n);
        peer::measure(r, c, "jacobian (tape reused)", J, J.out.data());
        J.retape = true;
        peer::measure(r, c, "tape + jacobian", J, J.out.data());
        tape(c, tag, y);
        fov_forward_job F(c, tag, m, n);
        F.identity(n);
        peer::measure(r, c, "fov_forward, n directions", F, F.out.data());
        fov_reverse_job R(c, tag, m, n);
        R.identity(m);
        peer::measure(r, c, "zos_forward + fov_reverse, m dirs", R, R.out.data());
        break;
    }
    case PEER_GRADIENT: {
        gradient_job G(c, tag, 1, n);
        peer::measure(r, c, "gradient (tape reused)", G, G.out.data());
        G.retape = true;
        peer::measure(r, c, "tape + gradient", G, G.out.data());
        break;
    }
    case PEER_SPARSE: {
        const char *why = sparse_jac_missing();
        if (why != nullptr)
            peer_unavailable(r, c, "sparse_jac", why);
        tape(c, tag, y);
        compressed_job S(c, tag);
        char method[96];
        std::snprintf(method, sizeof method, "fov_forward, compressed seed, %d colors",
                      S.colors);
        if (S.colors <= 2000)
            peer::measure(r, c, method, S, S.out.data());
        else
            peer_unavailable(r, c, method, "skipped: a seed of n x colors");
        break;
    }
    case PEER_HVP: {
        hess_vec_job H(c, tag, 1, n);
        peer::measure(r, c, "hess_vec (tape reused)", H, H.out.data());
        H.retape = true;
        peer::measure(r, c, "tape + hess_vec", H, H.out.data());
        break;
    }
    case PEER_HESSIAN: {
        hessian_job H(c, tag, n, n);
        peer::measure(r, c, "hessian (tape reused)", H, H.out.data());
        H.retape = true;
        peer::measure(r, c, "tape + hessian", H, H.out.data());
        break;
    }
    case PEER_SPARSE_HESSIAN: {
        if (sparse_jac_missing() != nullptr) {
            peer_unavailable(r, c, "sparse_hess", sparse_jac_missing());
        } else {
            sparse_hess_job S(c, tag);
            if (S.ok)
                peer::measure(r, c, "sparse_hess (repeat = 1)", S, S.out.data());
            else
                peer_unavailable(r, c, "sparse_hess (repeat = 1)", "failed on this case");
        }
        tape(c, tag, y);
        hess_mat_job M(c, tag);
        char method[96];
        std::snprintf(method, sizeof method, "hess_mat, compressed seed, %d colors", M.colors);
        peer::measure(r, c, method, M, M.out.data());
        break;
    }
    }
}

/* body() in a child process; its lines go to the same stdout and CSV
 * (both flushed before the fork and before the child exits), its
 * mismatches come back as its exit status. */
void body_in_child(peer_run *r, const peer_case *c)
{
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        body(r, c);
        std::fflush(nullptr);
        _exit(r->failures ? 1 : 0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        std::fprintf(stderr, "peer_adolc: %s: the child process failed\n", c->label);
        std::exit(2);
    }
    if (WEXITSTATUS(status) != 0)
        r->failures++;
}

} // namespace

int main(int argc, char **argv) { return peer::run_cases(argc, argv, "ADOL-C", body_in_child); }
