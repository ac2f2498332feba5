package io.steerd.client;

import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The tradeoff report as one chart: alignment B(r) on the left axis and helpfulness P(r) on the
 * right, measured means with ±1 standard-error bars, the fitted curves, and the break-even norm.
 */
final class TradeoffChart {
    static {
        // Before any AWT class loads: no display on servers and in CI.
        System.setProperty("java.awt.headless", "true");
    }

    static final int DEFAULT_WIDTH = 1000;
    static final int DEFAULT_HEIGHT = 600;

    /** matplotlib's tab10 blue and orange: distinct, also for the common colour-vision deficiencies. */
    static final Color ALIGNMENT_COLOR = new Color(0x1f77b4);
    static final Color HELPFULNESS_COLOR = new Color(0xff7f0e);
    private static final Color INK = new Color(0x333333);

    private static final int CURVE_SAMPLES = 241;
    private static final String FONT = Font.SANS_SERIF;

    // Dataset indices: points above the fitted lines (the plot draws the highest index first).
    private static final int ALIGNMENT_POINTS = 0;
    private static final int HELPFULNESS_POINTS = 1;
    private static final int ALIGNMENT_FIT = 2;
    private static final int HELPFULNESS_FIT = 3;

    private TradeoffChart() {}

    static void writePng(TradeoffReport report, Path png, int width, int height) throws IOException {
        ChartUtils.saveChartAsPNG(png.toFile(), chart(report), width, height);
    }

    static JFreeChart chart(TradeoffReport report) {
        double[] range = sweepRange(report);
        boolean hasAlignment = report.getAlignmentProbes() > 0;
        boolean hasHelpfulness = report.getHelpfulnessProbes() > 0;
        CurveFit alignmentFit = report.getFits().getAlignment();
        CurveFit helpfulnessFit = report.getFits().getHelpfulness();
        DoubleUnaryOperator alignmentCurve = alignmentCurve(alignmentFit);
        DoubleUnaryOperator helpfulnessCurve = helpfulnessCurve(helpfulnessFit);

        NumberAxis r = new NumberAxis("steering norm r (L2 added per layer)");
        r.setAutoRangeIncludesZero(false);
        // Keep the margin also when a sweep starts or ends at r = 0, so its marker stays whole.
        r.setAutoRangeStickyZero(false);
        r.setLabelFont(new Font(FONT, Font.BOLD, 14));
        r.setLabelPaint(INK);
        r.setTickLabelFont(new Font(FONT, Font.PLAIN, 12));
        r.setTickLabelPaint(INK);
        NumberAxis alignmentAxis = valueAxis("alignment B(r) = P(desired) \u2212 P(undesired)", ALIGNMENT_COLOR);
        // Both axes get 2.5% headroom, so markers at the limits stay whole and the gridlines of
        // the left axis (every 0.5) fall on the right axis's ticks (every 0.25).
        alignmentAxis.setRange(-1.05, 1.05);
        alignmentAxis.setTickUnit(new NumberTickUnit(0.5));
        NumberAxis helpfulnessAxis = valueAxis("helpfulness P(correct)", HELPFULNESS_COLOR);
        helpfulnessAxis.setRange(-0.025, 1.025);
        helpfulnessAxis.setTickUnit(new NumberTickUnit(0.25));

        XYPlot plot = new XYPlot();
        plot.setDomainAxis(r);
        plot.setRangeAxis(0, alignmentAxis);
        plot.setRangeAxis(1, helpfulnessAxis);
        plot.setRangeAxisLocation(0, AxisLocation.BOTTOM_OR_LEFT);
        plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.REVERSE);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlinePaint(new Color(0xaaaaaa));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        // r = 0 (unsteered) and B = 0 (no preference) as reference lines.
        plot.setDomainZeroBaselineVisible(true);
        plot.setRangeZeroBaselineVisible(hasAlignment);
        plot.setDomainZeroBaselinePaint(new Color(0x999999));
        plot.setRangeZeroBaselinePaint(new Color(0x999999));

        // The plot draws its baselines with the primary renderer, which must exist without points.
        plot.setRenderer(ALIGNMENT_POINTS, pointRenderer(ALIGNMENT_COLOR, new Ellipse2D.Double(-4.5, -4.5, 9, 9)));
        LegendItemCollection legend = new LegendItemCollection();
        if (hasAlignment) {
            XYErrorRenderer points = (XYErrorRenderer) plot.getRenderer(ALIGNMENT_POINTS);
            plot.setDataset(ALIGNMENT_POINTS, points(report, "alignment (mean \u00b1 1 s.e.)",
                    TradeoffPoint::getAlignment, TradeoffPoint::getAlignmentStderr));
            plot.mapDatasetToRangeAxis(ALIGNMENT_POINTS, 0);
            legend.add(points.getLegendItem(ALIGNMENT_POINTS, 0));
        }
        if (hasAlignment && alignmentCurve != null && range != null) {
            XYLineAndShapeRenderer line = lineRenderer(ALIGNMENT_COLOR);
            plot.setDataset(ALIGNMENT_FIT, curve("alignment fit", alignmentCurve, range));
            plot.setRenderer(ALIGNMENT_FIT, line);
            plot.mapDatasetToRangeAxis(ALIGNMENT_FIT, 0);
            legend.add(line.getLegendItem(ALIGNMENT_FIT, 0));
        }
        if (hasHelpfulness) {
            XYErrorRenderer points = pointRenderer(HELPFULNESS_COLOR, new Rectangle2D.Double(-4, -4, 8, 8));
            plot.setDataset(HELPFULNESS_POINTS, points(report, "helpfulness (mean \u00b1 1 s.e.)",
                    TradeoffPoint::getHelpfulness, TradeoffPoint::getHelpfulnessStderr));
            plot.setRenderer(HELPFULNESS_POINTS, points);
            plot.mapDatasetToRangeAxis(HELPFULNESS_POINTS, 1);
            legend.add(points.getLegendItem(HELPFULNESS_POINTS, 0));
        }
        if (hasHelpfulness && helpfulnessCurve != null && range != null) {
            XYLineAndShapeRenderer line = lineRenderer(HELPFULNESS_COLOR);
            plot.setDataset(HELPFULNESS_FIT,
                    curve("helpfulness fit", helpfulnessCurve, range));
            plot.setRenderer(HELPFULNESS_FIT, line);
            plot.mapDatasetToRangeAxis(HELPFULNESS_FIT, 1);
            legend.add(line.getLegendItem(HELPFULNESS_FIT, 0));
        }
        plot.setFixedLegendItems(legend);

        if (report.hasBreakEvenNorm() && Double.isFinite(report.getBreakEvenNorm())) {
            plot.addDomainMarker(breakEvenMarker(report.getBreakEvenNorm()));
        }

        JFreeChart chart = new JFreeChart(title(report), new Font(FONT, Font.BOLD, 19), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(6, 10, 6, 10));
        chart.addSubtitle(subtitle(alignmentLine(report, alignmentFit), ALIGNMENT_COLOR.darker()));
        chart.addSubtitle(subtitle(helpfulnessLine(report, helpfulnessFit), HELPFULNESS_COLOR.darker()));
        chart.addSubtitle(subtitle(breakEvenLine(report), INK));
        LegendTitle legendTitle = chart.getLegend();
        legendTitle.setPosition(RectangleEdge.BOTTOM);
        legendTitle.setItemFont(new Font(FONT, Font.PLAIN, 13));
        legendTitle.setFrame(BlockBorder.NONE);
        legendTitle.setItemLabelPadding(new RectangleInsets(2, 4, 2, 18));
        return chart;
    }

    // ---- curves -----------------------------------------------------------

    /** B(r) = tanh(a r + b0), or null unless the fit is FIT_OK with finite a and b0. */
    static DoubleUnaryOperator alignmentCurve(CurveFit fit) {
        double a = param(fit, "a");
        double b0 = param(fit, "b0");
        if (!Double.isFinite(a) || !Double.isFinite(b0)) {
            return null;
        }
        return x -> Math.tanh(a * x + b0);
    }

    /** P(r) = 1 / (1 + a + a (b^2 / 2) r^2), or null unless the fit is FIT_OK with finite a and b. */
    static DoubleUnaryOperator helpfulnessCurve(CurveFit fit) {
        double a = param(fit, "a");
        double b = param(fit, "b");
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            return null;
        }
        return x -> 1 / (1 + a + a * (b * b / 2) * x * x);
    }

    private static double param(CurveFit fit, String name) {
        return fit.getStatus() == FitStatus.FIT_OK ? fit.getParamsOrDefault(name, Double.NaN) : Double.NaN;
    }

    /** [min r, max r] of the sweep, or null with fewer than two distinct finite r. */
    private static double[] sweepRange(TradeoffReport report) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (TradeoffPoint p : report.getPointsList()) {
            if (Double.isFinite(p.getCoefficient())) {
                lo = Math.min(lo, p.getCoefficient());
                hi = Math.max(hi, p.getCoefficient());
            }
        }
        return lo < hi ? new double[] {lo, hi} : null;
    }

    private static YIntervalSeriesCollection points(TradeoffReport report, String name,
            ToDoubleFunction<TradeoffPoint> mean, ToDoubleFunction<TradeoffPoint> stderr) {
        YIntervalSeries series = new YIntervalSeries(name, false, true);
        for (TradeoffPoint p : report.getPointsList()) {
            double y = mean.applyAsDouble(p);
            if (!Double.isFinite(p.getCoefficient()) || !Double.isFinite(y)) {
                continue;
            }
            double e = stderr.applyAsDouble(p);
            e = Double.isFinite(e) ? Math.abs(e) : 0;
            series.add(p.getCoefficient(), y, y - e, y + e);
        }
        YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
        dataset.addSeries(series);
        return dataset;
    }

    private static XYSeriesCollection curve(String name, DoubleUnaryOperator f, double[] range) {
        XYSeries series = new XYSeries(name, false, true);
        for (int i = 0; i < CURVE_SAMPLES; i++) {
            double x = range[0] + (range[1] - range[0]) * i / (CURVE_SAMPLES - 1);
            double y = f.applyAsDouble(x);
            if (Double.isFinite(y)) {
                series.add(x, y);
            }
        }
        return new XYSeriesCollection(series);
    }

    // ---- styling ----------------------------------------------------------

    private static NumberAxis valueAxis(String label, Color color) {
        NumberAxis axis = new NumberAxis(label);
        axis.setLabelFont(new Font(FONT, Font.BOLD, 14));
        axis.setLabelPaint(color.darker());
        axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 12));
        axis.setTickLabelPaint(color.darker());
        axis.setAxisLinePaint(color);
        axis.setTickMarkPaint(color);
        axis.setAxisLineStroke(new BasicStroke(1.5f));
        return axis;
    }

    private static XYErrorRenderer pointRenderer(Color color, Shape shape) {
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDrawYError(true);
        renderer.setCapLength(7);
        renderer.setErrorStroke(new BasicStroke(1.4f));
        renderer.setErrorPaint(color);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesShape(0, shape);
        renderer.setSeriesLinesVisible(0, false);
        renderer.setSeriesShapesVisible(0, true);
        renderer.setSeriesShapesFilled(0, true);
        renderer.setUseOutlinePaint(true);
        renderer.setSeriesOutlinePaint(0, Color.WHITE);
        renderer.setSeriesOutlineStroke(0, new BasicStroke(0.8f));
        return renderer;
    }

    private static XYLineAndShapeRenderer lineRenderer(Color color) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesStroke(0, new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        return renderer;
    }

    /**
     * A dashed line at r*, labelled at the bottom on its outer side: there the alignment curve
     * is far from its low end (it rises towards the sign of r*), so the corner is empty.
     */
    private static ValueMarker breakEvenMarker(double norm) {
        ValueMarker marker = new ValueMarker(norm);
        marker.setPaint(INK);
        marker.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {7f, 5f}, 0f));
        marker.setLabel("r* = " + num(norm));
        marker.setLabelFont(new Font(FONT, Font.BOLD, 15));
        marker.setLabelPaint(INK);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 230));
        boolean right = norm >= 0;
        marker.setLabelAnchor(right ? RectangleAnchor.BOTTOM_RIGHT : RectangleAnchor.BOTTOM_LEFT);
        marker.setLabelTextAnchor(right ? TextAnchor.BOTTOM_LEFT : TextAnchor.BOTTOM_RIGHT);
        marker.setLabelOffset(new RectangleInsets(10, 6, 10, 6));
        return marker;
    }

    private static TextTitle subtitle(String text, Color color) {
        TextTitle title = new TextTitle(text, new Font(FONT, Font.PLAIN, 13));
        title.setPaint(color);
        title.setHorizontalAlignment(HorizontalAlignment.CENTER);
        title.setPadding(new RectangleInsets(1, 0, 1, 0));
        return title;
    }

    // ---- text -------------------------------------------------------------

    static String title(TradeoffReport report) {
        String vector = report.getVectorId().isEmpty() ? "?" : report.getVectorId();
        return report.getLayersCount() == 0
                ? "tradeoff of " + vector
                : "tradeoff of " + vector + " at layers " + Layers.format(report.getLayersList());
    }

    private static String alignmentLine(TradeoffReport report, CurveFit fit) {
        String form = "alignment  B(r) = tanh(a\u00b7r + b0)";
        if (report.getAlignmentProbes() == 0) {
            return "alignment: not measured (no alignment probes)";
        }
        return form + fitText(fit, List.of("a", "b0"));
    }

    private static String helpfulnessLine(TradeoffReport report, CurveFit fit) {
        String form = "helpfulness  P(r) = 1 / (1 + a + a(b\u00b2/2)r\u00b2)";
        if (report.getHelpfulnessProbes() == 0) {
            return "helpfulness: not measured (no helpfulness probes)";
        }
        return form + fitText(fit, List.of("a", "b"));
    }

    private static String fitText(CurveFit fit, List<String> names) {
        if (fit.getStatus() != FitStatus.FIT_OK) {
            String reason = fit.getReason().isEmpty() ? "" : ": " + fit.getReason();
            return "  \u2014  fit failed" + reason;
        }
        List<String> parts = new ArrayList<>();
        for (String name : names) {
            parts.add(name + " = " + num(fit.getParamsOrDefault(name, Double.NaN)));
        }
        parts.add("R\u00b2 = " + String.format(Locale.ROOT, "%.3f", fit.getR2()));
        return ":  " + String.join(",  ", parts);
    }

    private static String breakEvenLine(TradeoffReport report) {
        String lambda = "exchange rate \u03bb = " + num(report.getExchangeRate());
        String reason = report.getBreakEvenReason().isEmpty() ? "" : " (" + report.getBreakEvenReason() + ")";
        return switch (report.getBreakEvenStatus()) {
            case BREAK_EVEN_FOUND -> report.hasBreakEvenNorm()
                    ? lambda + "   \u00b7   break-even r* = " + num(report.getBreakEvenNorm())
                            + " where dB/dr = \u03bb\u00b7(\u2212dP/dr)"
                    : lambda + "   \u00b7   break-even found but no norm given";
            case BREAK_EVEN_NONE_IN_RANGE -> lambda + "   \u00b7   no break-even in the sweep: the gain outweighs the loss"
                    + reason;
            case BREAK_EVEN_NEVER_PAYS -> lambda + "   \u00b7   never pays: the loss outweighs the gain from r = 0"
                    + reason;
            default -> lambda + "   \u00b7   break-even undefined" + reason;
        };
    }

    /** Four significant digits, without exponent noise for ordinary magnitudes. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double abs = Math.abs(v);
        if (abs != 0 && (abs < 1e-3 || abs >= 1e5)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }
}
