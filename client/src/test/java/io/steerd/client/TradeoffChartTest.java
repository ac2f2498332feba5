package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.TradeoffReport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TradeoffChartTest {

    private static BufferedImage write(TradeoffReport report, Path png, int width, int height) throws Exception {
        TradeoffChart.writePng(report, png, width, height);
        byte[] bytes = Files.readAllBytes(png);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO cannot read " + png);
        return image;
    }

    private static int pixels(BufferedImage image, java.awt.Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }

    @Test
    void writesAPngOfTheRequestedSizeWithBothCurves(@TempDir Path dir) throws Exception {
        BufferedImage image = write(TradeoffFixtures.goodReport(), dir.resolve("t.png"),
                TradeoffChart.DEFAULT_WIDTH, TradeoffChart.DEFAULT_HEIGHT);
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());
        assertTrue(colours(image) > 50, "nearly flat image: " + colours(image) + " colours");
        assertTrue(pixels(image, TradeoffChart.ALIGNMENT_COLOR) > 500, "too little alignment blue");
        assertTrue(pixels(image, TradeoffChart.HELPFULNESS_COLOR) > 500, "too little helpfulness orange");
    }

    @Test
    void aFailedFitWithoutBreakEvenStillDraws(@TempDir Path dir) throws Exception {
        TradeoffReport report = TradeoffFixtures.failedReport();
        BufferedImage image = write(report, dir.resolve("failed.png"), 640, 400);
        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        assertTrue(colours(image) > 50, "nearly flat image");

        JFreeChart chart = TradeoffChart.chart(report);
        XYPlot plot = chart.getXYPlot();
        assertEquals(3, plot.getLegendItems().getItemCount(), "no alignment fit line for a failed fit");
        assertNull(plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND), "no r* marker");
        assertTrue(((TextTitle) chart.getSubtitle(1)).getText().contains("fit failed: no convergence"),
                ((TextTitle) chart.getSubtitle(1)).getText());
    }

    @Test
    void theBreakEvenMarkerAndFitsAreDrawnWhenPresent() {
        JFreeChart chart = TradeoffChart.chart(TradeoffFixtures.goodReport());
        assertEquals("tradeoff of happy at layers 2-4", chart.getTitle().getText());
        XYPlot plot = chart.getXYPlot();
        assertEquals(4, plot.getLegendItems().getItemCount());
        var markers = plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND);
        assertEquals(1, markers.size());
        assertEquals("r* = 3.2", ((org.jfree.chart.plot.Marker) markers.iterator().next()).getLabel());
        assertEquals(-1.05, plot.getRangeAxis(0).getLowerBound());
        assertEquals(1.025, plot.getRangeAxis(1).getUpperBound());
    }

    @Test
    void degenerateReportsDoNotThrow(@TempDir Path dir) throws Exception {
        write(TradeoffReport.getDefaultInstance(), dir.resolve("empty.png"), 300, 200);
        TradeoffReport helpfulnessOnly = TradeoffFixtures.goodReport().toBuilder().setAlignmentProbes(0).build();
        write(helpfulnessOnly, dir.resolve("h.png"), 500, 300);
        assertEquals(2, TradeoffChart.chart(helpfulnessOnly).getXYPlot().getLegendItems().getItemCount());
    }

    @Test
    void fittedCurvesFollowThePapersForms() {
        DoubleUnaryOperator b = TradeoffChart.alignmentCurve(TradeoffFixtures.goodReport().getFits().getAlignment());
        assertEquals(Math.tanh(0.35 * 2 + 0.05), b.applyAsDouble(2), 1e-12);
        DoubleUnaryOperator p = TradeoffChart.helpfulnessCurve(TradeoffFixtures.goodReport().getFits().getHelpfulness());
        assertEquals(1 / (1 + 0.25 + 0.25 * (0.09 / 2) * 9), p.applyAsDouble(-3), 1e-12);
        assertNull(TradeoffChart.alignmentCurve(CurveFit.newBuilder().setStatus(FitStatus.FIT_FAILED)
                .putParams("a", 1).putParams("b0", 0).build()));
        assertNull(TradeoffChart.helpfulnessCurve(CurveFit.newBuilder().setStatus(FitStatus.FIT_OK)
                .putParams("a", 1).build()));
    }

    @Test
    void numbersAreShortAndPlain() {
        assertEquals("3.2", TradeoffChart.num(3.2));
        assertEquals("-0.1235", TradeoffChart.num(-0.123456));
        assertEquals("1", TradeoffChart.num(1.0));
        assertEquals("0", TradeoffChart.num(-0.0));
        assertEquals("1.235e-05", TradeoffChart.num(1.23456e-5));
        assertEquals("NaN", TradeoffChart.num(Double.NaN));
    }
}
