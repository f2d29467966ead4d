"""The per-man adaptive Rosenbrock loop in C (appended to the generated model functions).

Each man is integrated on his own: his own step size, his own dose jumps applied exactly at
their times. Outputs are step ends that land on the output times, or with ``dense_out``
(``SolverOptions.dense_output``) steps stop at events and the last output only and outputs
between are the cubic Hermite interpolant of the step around them (end points and their
derivatives; the end slope is the f of the next step's ``derivs_jac``, evaluated as soon as
the step is accepted, so outputs cost no extra f except in a segment's last step, whose end
state a dose then changes). Dense output lets steps run past a
daily grid (``h_max`` above a day); at ``h_max`` 1 d it saves only ~3 % of steps (reference
scenario, rtol 1e-3: 6423 -> 6257) and its interpolation error (LH 1.03e-3 against LSODA at
rtol 1e-3) is above the issue-5 target, so it is an option of forecasts, not the default.
Tolerances are per active state: ``rtol`` shared, ``atol`` per man (his own typical sizes, so
a man's result does not depend on who else is in the batch). The step-size controller is the KPP
one (Sandu et al. 1997): accept when the max-norm of the scaled error estimate is <= 1,
new h = h * clip(0.9 err^(-1/ELO), 0.2, 6); after a rejection the step may not grow. The
Jacobian is exact (generated) and evaluated once per step; a rejected step re-uses it with
a smaller h.

States must stay >= 0 (amounts and fractions): a step ending below -tolerance is rejected,
round-off below zero is clipped. Status per man: 0 ok, 1 step below h_min, 2 too many steps;
``steps`` counts every attempted step, ``rejected`` those of them that were refused.

Dose-aware first step: a bolus makes the step carried over from before it far too long
(a fast oral absorption needs minutes where the hours before it needed hours), which cost
two or three rejected steps after every dose. Each man remembers, per dosed state, the step
the controller chose after the first accepted step following the last dose into it (that
step scaled by its own error) and starts there after the next one (never longer than the
carried step); the controller then grows it as usual. Remembering the accepted step itself
kept whatever the first dose started with (h0, 1e-3 d) for every later dose, as a step that
small is always accepted: ~2 extra steps per dose to grow out of it (reference scenario,
rtol 1e-3: 8091 -> 7899 steps).

What sets the step count (reference scenario, rtol 1e-3, measured by instrumenting this
loop): fast states slaved to quickly changing drives. TRT (9.6 steps/d): serum LH (k_LH
13.2/d) limits ~80 % of steps; the day after each injection (T up within hours, then the
feedback signal Fa, then LH falling ~20-fold) takes ~40 % of the week's steps. Clomiphene +
hCG (23/d): the daily oral absorption (ka 24/d; enclomiphene.central limits the first ~0.2
d) then the hypothalamic ER signal Fe following the daily enclomiphene sawtooth. The error
estimate flags the state with the largest true local error and is a steady ~7x above it
(ROS3 advances with its 3rd-order solution and estimates the 2nd-order one's error); no
kinks (0.0-0.03 rejected steps/d). Steps scale as rtol^(-1/3). Tried and not kept: a
filtered estimate (I - h gamma J)^-1 e (-7.5 % steps, +7.5 % time per step), ROS4 and RODAS3
(-17 % / -10 % steps, ~+32 % time per step), an RMS norm (LH error 1.2e-3 > 1e-3).
"""

INTEGRATOR = r"""
/* Outputs of one man taken inside a segment: the state at t_out[o] is the cubic Hermite
   interpolant of the accepted step around it (its end points and their derivatives). */
typedef struct {
  const double *t_out; long n_out; long *o; double *out; long n_total; long k;
  const int *obs_sel; long n_sel; unsigned long long need;
} Dense;

/* observe()'s mask of the selected observables (every one past the 64th: all of them) */
static unsigned long long need_of(const int *obs_sel, long n_sel) {
  unsigned long long need = 0;
  for (long q = 0; q < n_sel; q++)
    need |= obs_sel[q] < 64 ? 1ULL << obs_sel[q] : ~0ULL;
  return need;
}

/* Whether an output falls inside the step from t0 (not at the segment's end). */
static int dense_due(const Dense *d, double t0, double h, double t_end) {
  return *d->o < d->n_out && d->t_out[*d->o] <= t0 + h + 1e-9 &&
         d->t_out[*d->o] < t_end - 1e-9;
}

/* F1: f at z1 when the caller has it (the next step's derivs_jac), else NULL. */
static void dense_outputs(const Dense *d, const double *z0, const double *F0,
                          const double *z1, const double *F1_given, double t0, double h,
                          double t_end, const double *P, const double *C, const double *U) {
  double F1_own[M], y[M], O[NOBS > 0 ? NOBS : 1];
  const double *F1 = F1_given;
  /* outputs at the segment's end are the caller's (after the events then) */
  while (dense_due(d, t0, h, t_end)) {
    if (!F1) { derivs(z1, P, C, U, F1_own); F1 = F1_own; }
    double s = (d->t_out[*d->o] - t0) / h;
    if (s < 0.0) s = 0.0;
    if (s > 1.0) s = 1.0;
    double s2 = s * s, s3 = s2 * s;
    double h00 = 2.0 * s3 - 3.0 * s2 + 1.0, h10 = s3 - 2.0 * s2 + s;
    double h01 = -2.0 * s3 + 3.0 * s2, h11 = s3 - s2;
    for (int i = 0; i < M; i++) {
      double v = h00 * z0[i] + h10 * h * F0[i] + h01 * z1[i] + h11 * h * F1[i];
      y[i] = v > 0.0 ? v : 0.0;  /* amounts and fractions: no overshoot below zero */
    }
    observe(y, P, C, U, O, d->need);
    for (long q = 0; q < d->n_sel; q++)
      d->out[(q * d->n_out + *d->o) * d->n_total + d->k] = O[d->obs_sel[q]];
    (*d->o)++;
  }
}

static int integrate(double *z, const double *P, const double *C, const double *U,
                     double *t_io, double t_end, double *h_io, const double *rtol,
                     const double *atol, double h_max, double h_min, long max_steps, long *steps,
                     long *rejected_count, double *h_first, const Dense *dense) {
  double F[M], Fs[M], J[NNZ], W[NW], K[S][M], ytmp[M], ynew[M], zold[M];
  double t = *t_io, h = *h_io;
  int have_jac = 0, rejected = 0;
  while (t < t_end - 1e-12) {
    if (h > h_max) h = h_max;
    double h_try = h;
    int last = 0;
    if (t + h >= t_end - 1e-12) { h = t_end - t; last = 1; }
    if (!have_jac) { derivs_jac(z, P, C, U, F, J); have_jac = 1; }
    form_w(J, 1.0 / (h * GAMMA), W);
    if (++(*steps) > max_steps) { *t_io = t; return 2; }
    double err = INFINITY;
    if (lu(W)) {
      for (int s = 0; s < S; s++) {
        int off = s * (s - 1) / 2;
        if (s == 0) {
          memcpy(Fs, F, sizeof(double) * M);
        } else if (NEWF[s]) {  /* otherwise the previous stage's f is re-used */
          for (int i = 0; i < M; i++) {
            double acc = z[i];
            for (int j = 0; j < s; j++) acc += RA[off + j] * K[j][i];
            ytmp[i] = acc;
          }
          derivs(ytmp, P, C, U, Fs);
        }
        for (int i = 0; i < M; i++) K[s][i] = Fs[i];
        for (int j = 0; j < s; j++) {
          double hc = RC[off + j] / h;
          for (int i = 0; i < M; i++) K[s][i] += hc * K[j][i];
        }
        solve(W, K[s]);
      }
      err = 0.0;
      for (int i = 0; i < M; i++) {
        double yn = z[i], e = 0.0;
        for (int s = 0; s < S; s++) { yn += RM[s] * K[s][i]; e += RE[s] * K[s][i]; }
        /* fmax() as comparisons (same result, z is finite): it was a library call, ~3 %
           of a step */
        double za = fabs(z[i]), ya = fabs(yn);
        double sc = atol[i] + rtol[i] * (ya > za ? ya : za);
        double r = fabs(e) / sc;
        /* every state is an amount or a fraction: below zero within tolerance is
           round-off (clipped, as the one-patient simulator does), beyond it an error */
        if (yn < 0.0) { if (-yn > sc && !(r >= 2.0)) r = 2.0; yn = 0.0; }
        ynew[i] = yn;
        if (!(r <= err)) err = r;
        if (isnan(r)) { err = INFINITY; break; }  /* e.g. a stage left the domain */
      }
    }
    if (err <= 1.0) {
      memcpy(zold, z, sizeof(double) * M);
      memcpy(z, ynew, sizeof(double) * M);
      if (!last && dense_due(dense, t, h, t_end)) {
        /* the next step's f and Jacobian now: that f is the interpolant's end slope, so
           outputs cost no extra f (it was ~8 % of a forecast) */
        double F0[M];
        memcpy(F0, F, sizeof(double) * M);
        derivs_jac(z, P, C, U, F, J);
        dense_outputs(dense, zold, F0, z, F, t, h, t_end, P, C, U);
        have_jac = 1;
      } else {
        dense_outputs(dense, zold, F, z, NULL, t, h, t_end, P, C, U);
        have_jac = 0;
      }
      t = last ? t_end : t + h;
      /* xpow, not pow(): the lanes take the same power of every lane's error at once */
      double fac = 0.9 * xpow(fmax(err, 1e-10), -1.0 / ELO);
      fac = fmin(6.0, fmax(0.2, fac));
      if (rejected) fac = fmin(fac, 1.0);
      /* the step the controller would have taken from the dose, judged by this step's
         error (a full step, not one cut to t_end) */
      if (*h_first == 0.0 && !last) *h_first = h * fac;
      rejected = 0;
      h = h * fac;
      if (last && h < h_try) h = h_try;
    } else {
      double fac = isfinite(err) ? fmax(0.1, 0.9 * xpow(err, -1.0 / ELO)) : 0.1;
      h = h * fac;
      rejected = 1;
      (*rejected_count)++;
      if (h < h_min) { *t_io = t; return 1; }
    }
  }
  *t_io = t;
  *h_io = h;
  return 0;
}

/* Solve A x = b in place (A: MP x MP, row-major), LU with partial pivoting; 0 if singular. */
static int dense_solve(double *A, double *b) {
  for (int k = 0; k < MP; k++) {
    int piv = k;
    for (int i = k + 1; i < MP; i++) if (fabs(A[i * MP + k]) > fabs(A[piv * MP + k])) piv = i;
    if (!(fabs(A[piv * MP + k]) > 0.0)) return 0;
    if (piv != k) {
      for (int j = 0; j < MP; j++) {
        double a = A[k * MP + j]; A[k * MP + j] = A[piv * MP + j]; A[piv * MP + j] = a;
      }
      double c = b[k]; b[k] = b[piv]; b[piv] = c;
    }
    for (int i = k + 1; i < MP; i++) {
      double l = A[i * MP + k] / A[k * MP + k];
      if (l == 0.0) continue;
      for (int j = k + 1; j < MP; j++) A[i * MP + j] -= l * A[k * MP + j];
      b[i] -= l * b[k];
    }
  }
  for (int k = MP - 1; k >= 0; k--) {
    for (int j = k + 1; j < MP; j++) b[k] -= A[k * MP + j] * b[j];
    b[k] /= A[k * MP + k];
  }
  return 1;
}

/* Drug-free steady state of men k0..k1: Newton's method with the exact Jacobian on the
   physiological states (drug amounts zero, no infusions). y (N_ALL per man) holds the
   starting guess and receives the root, clipped at 0; status 0 when every residual is
   below 1e-6 of its state's scale, 1 otherwise. */
int steady(long k0, long k1, const double *params, double *y, double tol, long max_iter,
           int *status) {
  for (long k = k0; k < k1; k++) {
    const double *P = params + k * NP;
    double C[NC], U[NU], z[M], F[M], J[NNZ], A[MP * MP], scale[MP], dx[MP];
    constants(P, C);
    for (int j = 0; j < NU; j++) U[j] = 0.0;
    for (int i = 0; i < M; i++) z[i] = i < MP ? y[k * N_ALL + ACTIVE[i]] : 0.0;
    for (int i = 0; i < MP; i++) scale[i] = fmax(fabs(z[i]), 1e-3);
    for (long it = 0; it < max_iter; it++) {
      derivs_jac(z, P, C, U, F, J);
      memset(A, 0, sizeof A);
      for (int q = 0; q < NNZ; q++)
        if (JROW[q] < MP && JCOL[q] < MP) A[JROW[q] * MP + JCOL[q]] = J[q];
      for (int i = 0; i < MP; i++) dx[i] = -F[i];
      if (!dense_solve(A, dx)) break;
      double worst = 0.0;
      for (int i = 0; i < MP; i++) {
        z[i] += dx[i];
        double r = fabs(dx[i]) / scale[i];
        if (!(r <= worst)) worst = r;  /* NaN propagates */
      }
      if (!(worst < INFINITY) || worst < tol) break;
    }
    derivs(z, P, C, U, F);
    int st = 0;
    for (int i = 0; i < MP; i++)
      if (!isfinite(z[i]) || !(fabs(F[i]) / scale[i] <= 1e-6)) st = 1;
    for (int i = 0; i < MP; i++) y[k * N_ALL + ACTIVE[i]] = z[i] > 0.0 ? z[i] : 0.0;
    status[k] = st;
  }
  return 0;
}

/* One evaluation at a given point, for tests: derivatives, dense Jacobian (M x M) and
   observables. */
int probe(const double *P, const double *z, const double *U, double *F, double *jac,
          double *O) {
  double C[NC], J[NNZ];
  constants(P, C);
  derivs_jac(z, P, C, U, F, J);
  for (int i = 0; i < M * M; i++) jac[i] = 0.0;
  for (int k = 0; k < NNZ; k++) jac[JROW[k] * M + JCOL[k]] = J[k];
  observe(z, P, C, U, O, ~0ULL);
  return 0;
}

/* For tests: out[i] = xpow(x[i], n[i]), the powers of the one-man loop. */
int probe_pow(long count, const double *x, const double *n, double *out) {
  for (long i = 0; i < count; i++) out[i] = xpow(x[i], n[i]);
  return 0;
}

/* For tests: b <- (g I - jac)^-1 b through form_w, lu and solve (jac dense, M x M; only its
   entries on the kernel's pattern are read); 0 if lu met a zero pivot. */
int probe_solve(const double *jac, double g, double *b) {
  double J[NNZ], W[NW];
  for (int k = 0; k < NNZ; k++) J[k] = jac[JROW[k] * M + JCOL[k]];
  form_w(J, g, W);
  if (!lu(W)) return 0;
  solve(W, b);
  return 1;
}

int run(long k0, long k1, long n_total, const double *params, const double *y0, double t0,
        const double *t_out, long n_out, const long *ev_ptr, const double *ev_t,
        const int *ev_kind, const int *ev_index, const double *ev_value, const int *obs_sel,
        long n_sel, double *out, const double *rtol, const double *atol, double h0, double h_max,
        double h_min, long max_steps, int dense_out, int *status, long *steps, long *rejected,
        double *y_end) {
  const unsigned long long need = need_of(obs_sel, n_sel);
  for (long k = k0; k < k1; k++) {
    const double *P = params + k * NP;
    double C[NC], U[NU], z[M], O[NOBS > 0 ? NOBS : 1];
    constants(P, C);
    for (int j = 0; j < NU; j++) U[j] = 0.0;
    for (int i = 0; i < M; i++) z[i] = y0[k * N_ALL + ACTIVE[i]];
    long e = ev_ptr[k], e_end = ev_ptr[k + 1], o = 0, n_steps = 0, n_rejected = 0;
    double t = t0, h = h0, h_dose[M];  /* first accepted step after a dose, per state */
    int st = 0, dosed = -1;  /* the state dosed last (whose h_dose is being learned) */
    for (int i = 0; i < M; i++) h_dose[i] = 0.0;
    for (;;) {
      int dosed_now = -1;
      while (e < e_end && ev_t[e] <= t + 1e-9) {
        if (ev_kind[e] == 0) {
          z[ev_index[e]] += ev_value[e];
          if (dosed_now < 0 || h_dose[ev_index[e]] < h_dose[dosed_now]) dosed_now = ev_index[e];
        } else {
          U[ev_index[e]] = ev_value[e];
        }
        e++;
      }
      if (dosed_now >= 0) {
        dosed = dosed_now;
        if (h_dose[dosed] > 0.0 && h_dose[dosed] < h) h = h_dose[dosed];
      }
      while (o < n_out && t_out[o] <= t + 1e-9) {
        observe(z, P, C, U, O, need);
        for (long q = 0; q < n_sel; q++) out[(q * n_out + o) * n_total + k] = O[obs_sel[q]];
        o++;
      }
      if (o >= n_out) break;
      /* dense: steps stop at events and at the last output, outputs between are
         interpolated; otherwise they stop on every output too */
      double t_stop = dense_out ? t_out[n_out - 1] : t_out[o];
      if (e < e_end && ev_t[e] < t_stop) t_stop = ev_t[e];
      double h_first = 0.0;
      Dense dense = {t_out, n_out, &o, out, n_total, k, obs_sel, n_sel, need};
      st = integrate(z, P, C, U, &t, t_stop, &h, rtol, atol + k * M, h_max, h_min, max_steps,
                     &n_steps, &n_rejected, &h_first, &dense);
      if (dosed >= 0 && h_first > 0.0) { h_dose[dosed] = h_first; dosed = -1; }
      if (st) {
        for (; o < n_out; o++)
          for (long q = 0; q < n_sel; q++) out[(q * n_out + o) * n_total + k] = NAN;
        break;
      }
    }
    /* the state at the last output time, for a caller who branches from it */
    for (int i = 0; i < M; i++) y_end[k * N_ALL + ACTIVE[i]] = z[i];
    status[k] = st;
    steps[k] = n_steps;
    rejected[k] = n_rejected;
  }
  return 0;
}
"""
