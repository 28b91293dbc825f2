package org.implicit4j.report;

/**
 * The well-posedness verdict of x = φ(Ax + b'): the model has a unique equilibrium for every input
 * when A is strictly (block) upper triangular, or when every activation is componentwise
 * non-expansive and λpf(|A|) &lt; 1 (El Ghaoui et al. §3; docs/MATHS.md §2).
 *
 * @param normInf ‖A‖∞ = max_i Σ_j |A_ij| from the row sums of the blocks: exact, except that large lazy
 *     products of structured blocks contribute Π|F_k| (an upper bound) rather than being formed
 * @param lambdaPf λpf(|A|): exactly 0 when A is strictly triangular, else a certified upper bound
 * @param lambdaLower the Collatz–Wielandt lower bound on λpf(|A|)
 * @param powerIterations mat-vecs the Perron root estimate took (0 when triangular)
 * @param nonExpansive whether every activation is componentwise non-expansive
 * @param wellPosed whether well-posedness is shown (false means "not shown", not "ill-posed")
 * @param verdict one line saying why
 */
public record WellPosedness(double normInf, double lambdaPf, double lambdaLower, int powerIterations,
    boolean strictlyUpperTriangular, boolean nonExpansive, boolean wellPosed, String verdict) {}
