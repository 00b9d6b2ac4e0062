using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Bert: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily Bert = new()
    {
        Key = "bert", DisplayName = "BERT-base fine-tuning", NamePattern = @"\bbert\b|roberta|deberta|distilbert|transformer encoder",
        Source = "Devlin et al., BERT: Pre-training of Deep Bidirectional Transformers (NAACL 2019)",
        Tasks = [MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.QuestionAnswering, MlTask.Regression], Modalities = [DataModality.Text, DataModality.Multimodal],
        LogStyle = LogStyle.HuggingFace,
        DefaultStructure = "12-layer Transformer encoder, task head on [CLS] (classification) or token logits (span QA)",
        DefaultDescription = "bert-base-uncased fine-tuned end to end.",
        DefaultArchitecture = [P("hidden_size", "768"), P("num_layers", "12"), P("num_heads", "12"), P("intermediate_size", "3072"), P("max_seq_length", "128")],
        ParamsMillions = i => BertParams(i.Num("hidden_size", 768), i.Num("num_layers", 12)) + i.Num("hidden_size", 768) * i.Classes / 1e6,
        Describe = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12);
            var seq = i.Recipe.NumberOf("max_seq_length") ?? i.Num("max_seq_length", 128);
            var head = i.Data.Task switch
            {
                MlTask.QuestionAnswering => $"linear {F(d)} → 2 per token (span start and end logits)",
                MlTask.Regression => $"dropout 0.1 → linear {F(d)} → 1 on [CLS]",
                _ => $"dropout 0.1 → linear {F(d)} → {i.Classes} on the pooled [CLS] vector",
            };
            var loss = i.Data.Task switch
            {
                MlTask.QuestionAnswering => "cross-entropy over start and end positions",
                MlTask.Regression => "mean squared error",
                _ => "cross-entropy",
            };
            return $"""
                - **Input**: [CLS] text [SEP] (pairs: [CLS] a [SEP] b [SEP]), WordPiece tokens truncated/padded to {F(seq)}, with attention mask and segment ids.
                - **Embeddings**: token + position (512) + segment embeddings, {F(d)} dims, LayerNorm, dropout 0.1.
                - **Encoder**: {F(l)} post-norm Transformer layers, {F(i.Num("num_heads", 12))} heads, FFN {F(d)}→{F(i.Num("intermediate_size", 4 * d))}→{F(d)} with GELU.
                - **Head**: {head}.
                - **Output**: {(i.Data.Task == MlTask.Regression ? "one real value" : i.Data.Task == MlTask.QuestionAnswering ? "the best answer span (start ≤ end, ≤ 30 tokens)" : $"{i.Classes} class logits")}.
                - **Loss**: {loss}.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW", "Devlin et al. 2019 (Adam with decoupled weight decay)")
            .Num("learning_rate", d.Task == MlTask.QuestionAnswering ? 3e-5 : 2e-5, "float", "1e-5 – 5e-5", "BERT fine-tuning grid {5e-5, 3e-5, 2e-5}")
            .Num("batch_size", 32, "int", "8 – 128", "BERT: 16 or 32")
            .Num("per_gpu_batch_size", 32, "int", "4 – 64", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 8", "")
            .Num("epochs", 3, "int", "2 – 10", "BERT: 2–4 epochs")
            .Num("warmup_ratio", 0.1, "float", "0 – 0.2", "10% linear warm-up")
            .Text("lr_schedule", "linear", "linear", "linear decay to 0")
            .Num("weight_decay", 0.01, "float", "0 – 0.1", "BERT: 0.01")
            .Num("dropout", 0.1, "float", "0 – 0.2", "BERT: 0.1")
            .Num("max_seq_length", d.Task == MlTask.QuestionAnswering ? 384 : 128, "int", "32 – 512", d.Task == MlTask.QuestionAnswering ? "SQuAD: 384 with doc stride 128" : "128 covers most sentence-level inputs")
            .Text("mixed_precision", "fp16", "fp32 | fp16 | bf16", ""),
        GbPerSample = 0.25, InputSizeParameter = "max_seq_length", ReferenceInputSize = 128, InputSizeMemoryExponent = 1.3,
        MakeFaster = (i, _) =>
        {
            var seq = i.Recipe.NumberOf("max_seq_length") ?? 128;
            i.Recipe.Adjust("max_seq_length", Math.Max(32, seq / 2), "faster inference: half the sequence length");
            return $"max_seq_length {F(seq)} → {F(Math.Max(32, seq / 2))} roughly doubles throughput (attention and FFN scale with length); check how many inputs get truncated. For 2× more, distil to 6 layers (DistilBERT keeps about 97% of BERT's GLUE score, Sanh et al. 2019)";
        },
        References =
        [
            new(@"sst-?2", "accuracy", 93.5, "BERT-base, SST-2 (Devlin et al. 2019, Table 1)"),
            new(@"squad", "F1", 88.5, "BERT-base, SQuAD v1.1 dev (Devlin et al. 2019, Table 2)"),
            new(@"imdb", "accuracy", 94.0, "BERT-base fine-tuned on IMDb (Sun et al. 2019)"),
        ],
        TrainTemplate = "Families/Bert/train.py", Requirements = TextRequirements,
        AdaptToDataSize = a =>
        {
            var e = a.Samples switch { < 5_000 => 5, < 100_000 => 3, _ => 2 };
            a.Recipe.Adjust("epochs", e, $"{a.Rows}: {(e > 3 ? "small data needs more passes (and several seeds: fine-tuning is unstable)" : e < 3 ? "large data converges in two passes" : "")}".TrimEnd(' ', ':'));
            a.Epochs = e;
        },
    };
}
