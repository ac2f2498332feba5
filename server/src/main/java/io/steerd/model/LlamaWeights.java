package io.steerd.model;

/**
 * A Llama decoder's weights as flat float arrays. Matrices are row-major [out][in], the layout
 * llama2.c stores and the one {@code y = W x} reads naturally.
 */
public record LlamaWeights(
    ModelConfig config,
    float[] tokenEmbedding, // [vocab][dim]
    float[][] attentionNorm, // [layer][dim]
    float[][] wq, // [layer][dim][dim]
    float[][] wk, // [layer][kvDim][dim]
    float[][] wv, // [layer][kvDim][dim]
    float[][] wo, // [layer][dim][dim]
    float[][] ffnNorm, // [layer][dim]
    float[][] w1, // [layer][hidden][dim] gate
    float[][] w2, // [layer][dim][hidden] down
    float[][] w3, // [layer][hidden][dim] up
    float[] finalNorm, // [dim]
    float[] classifier) { // [vocab][dim]; the embedding itself when tied
}
