namespace TorchActivations.Tests;

/// <summary>
/// Float64 references computed with System.Math only, independent of libtorch: the formulas of the
/// notes, written in their numerically accurate forms. .NET has no accurate log1p, expm1 or erfc,
/// so they are here too.
/// </summary>
public static class Reference
{
    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x + x * x / 2 + x * x * x / 6;
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        if (u - 1.0 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return (u - 1.0) * x / Math.Log(u); // Kahan: the rounding errors of u cancel
    }

    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return Math.Log(u);
        return Math.Log(u) * x / (u - 1.0); // Kahan
    }

    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>erfc to about 1e-15 relative: a series with positive terms below 2, Lentz's continued fraction above.</summary>
    public static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2) return 1 - Erf(x);
        // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = x + a * d; d = Math.Abs(d) < tiny ? tiny : d; d = 1 / d;
            c = x + a / c; c = Math.Abs(c) < tiny ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-17) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>erf(x) = 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), all terms positive.</summary>
    public static double Erf(double x)
    {
        if (x < 0) return -Erf(-x);
        if (x >= 6) return 1;
        double term = x, sum = x;
        for (int n = 1; n < 1000 && term > sum * 1e-18; n++) {
            term *= 2 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
    }

    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    public static double NormalPdf(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
}
