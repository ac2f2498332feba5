package io.steerd.client;

import io.steerd.v1.BreakEvenStatus;
import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.PolynomialCurveFit;
import io.steerd.v1.TradeoffFits;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import java.util.List;

/** Synthetic tradeoff reports shaped like the server's, for the chart and CLI tests. */
final class TradeoffFixtures {
    static final double ALIGN_A = 0.35;
    static final double ALIGN_B0 = 0.05;
    static final double HELP_A = 0.25;
    static final double HELP_B = 0.3;

    private TradeoffFixtures() {}

    /** 17 points from -8 to 8 on the fitted curves plus a fixed wiggle; both fits OK; r* = 3.2. */
    static TradeoffReport goodReport() {
        TradeoffReport.Builder report = TradeoffReport.newBuilder()
                .setVectorId("happy")
                .addAllLayers(List.of(2, 3, 4))
                .setExchangeRate(1)
                .setAlignmentProbes(24)
                .setHelpfulnessProbes(32)
                .setTextPassages(18)
                .setSeconds(93.4);
        for (int i = 0; i < 17; i++) {
            double r = -8 + i;
            double wiggle = Math.sin(i * 2.3) * 0.04;
            report.addPoints(TradeoffPoint.newBuilder()
                    .setCoefficient(r)
                    .setAlignment(Math.tanh(ALIGN_A * r + ALIGN_B0) + wiggle)
                    .setAlignmentStderr(0.05 + 0.01 * Math.abs(Math.cos(i)))
                    .setHelpfulness(1 / (1 + HELP_A + HELP_A * (HELP_B * HELP_B / 2) * r * r) - wiggle / 2)
                    .setHelpfulnessStderr(0.03 + 0.01 * Math.abs(Math.sin(i)))
                    .setTextLogprob(-1.2 - 0.02 * r * r)
                    .setTextLogprobStderr(0.05)
                    .setTextAccuracy(0.6 - 0.005 * r * r)
                    .setTextAccuracyStderr(0.01));
        }
        report.setFits(TradeoffFits.newBuilder()
                .setAlignment(CurveFit.newBuilder().setForm("tanh(a*r + b0)").setStatus(FitStatus.FIT_OK)
                        .putParams("a", ALIGN_A).putParams("b0", ALIGN_B0)
                        .putParamsStderr("a", 0.012).putParamsStderr("b0", 0.02)
                        .setR2(0.987).setRmse(0.031).setPoints(17))
                .setHelpfulness(CurveFit.newBuilder().setForm("1 / (1 + a + a*(b^2/2)*r^2)")
                        .setStatus(FitStatus.FIT_OK)
                        .putParams("a", HELP_A).putParams("b", HELP_B)
                        .putParamsStderr("a", 0.01).putParamsStderr("b", 0.015)
                        .setR2(0.962).setRmse(0.018).setPoints(17))
                .setAlignmentLinear(PolynomialCurveFit.newBuilder().setStatus(FitStatus.FIT_OK).setWindow(4)
                        .addCoefficients(0.05).addCoefficients(0.33)
                        .addStderr(0.01).addStderr(0.02)
                        .addCiLow(0.028).addCiLow(0.29).addCiHigh(0.072).addCiHigh(0.37)
                        .setR2(0.99).setPoints(9))
                .setHelpfulnessQuadratic(PolynomialCurveFit.newBuilder().setStatus(FitStatus.FIT_OK).setWindow(4)
                        .addCoefficients(0.8).addCoefficients(-0.002).addCoefficients(-0.009)
                        .addStderr(0.01).addStderr(0.003).addStderr(0.001)
                        .addCiLow(0.78).addCiLow(-0.009).addCiLow(-0.011)
                        .addCiHigh(0.82).addCiHigh(0.005).addCiHigh(-0.007)
                        .setR2(0.97).setPoints(9)))
                .setBreakEvenNorm(3.2)
                .setBreakEvenStatus(BreakEvenStatus.BREAK_EVEN_FOUND)
                .setBreakEvenReason("dB/dr = lambda * (-dP/dr) at r = 3.2");
        return report.build();
    }

    /** Flat, noisy alignment whose fit failed, so no break-even; helpfulness still fitted. */
    static TradeoffReport failedReport() {
        TradeoffReport good = goodReport();
        TradeoffReport.Builder report = good.toBuilder().clearPoints().clearBreakEvenNorm()
                .setBreakEvenStatus(BreakEvenStatus.BREAK_EVEN_UNDEFINED)
                .setBreakEvenReason("alignment fit failed: no convergence after 200 iterations");
        for (TradeoffPoint p : good.getPointsList()) {
            report.addPoints(p.toBuilder().setAlignment(0.02 * Math.sin(p.getCoefficient() * 5))
                    .setAlignmentStderr(Double.NaN));
        }
        report.getFitsBuilder().setAlignment(CurveFit.newBuilder().setForm("tanh(a*r + b0)")
                .setStatus(FitStatus.FIT_FAILED).setReason("no convergence after 200 iterations").setPoints(17));
        report.getFitsBuilder().setAlignmentLinear(PolynomialCurveFit.newBuilder().setStatus(FitStatus.FIT_FAILED)
                .setReason("too few points").setWindow(4).setPoints(9));
        return report.build();
    }
}
