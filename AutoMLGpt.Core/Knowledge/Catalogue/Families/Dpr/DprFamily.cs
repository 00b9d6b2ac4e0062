using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Dpr: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily Dpr = new()
    {
        Key = "dpr", DisplayName = "DPR (BERT bi-encoder)", NamePattern = @"\bdpr\b|dense passage|bi-?encoder|retriever",
        Source = "Karpukhin et al., Dense Passage Retrieval for Open-Domain Question Answering (EMNLP 2020)",
        Tasks = [MlTask.QuestionAnswering], Modalities = [DataModality.Text, DataModality.Multimodal],
        LogStyle = LogStyle.Dpr,
        DefaultStructure = "Two BERT-base encoders (question, passage), [CLS] embeddings, dot-product similarity",
        DefaultDescription = "Dense Passage Retriever: separate question and passage BERT-base encoders trained with in-batch negatives.",
        DefaultArchitecture = [P("hidden_size", "768"), P("num_layers", "12"), P("num_heads", "12"), P("max_seq_length", "256"), P("projection_dim", "0")],
        ParamsMillions = i => 2 * BertParams(i.Num("hidden_size", 768), i.Num("num_layers", 12)),
        Describe = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12), proj = i.Num("projection_dim", 0);
            var seq = i.Recipe.NumberOf("max_seq_length") ?? i.Num("max_seq_length", 256);
            var qseq = i.Recipe.NumberOf("max_question_length");
            return $"""
                - **Input**: a question (≤ {F(qseq ?? seq)} WordPiece tokens) and passages of 100 words (title [SEP] text, ≤ {F(seq)} tokens).
                - **Question encoder E_Q**: BERT ({F(l)} layers, hidden {F(d)}, {F(i.Num("num_heads", 12))} heads, uncased WordPiece vocabulary of 30,522).
                - **Passage encoder E_P**: a second, independent BERT of the same size.
                - **Representation**: the [CLS] vector{(proj > 0 ? $", projected to {F(proj)} dims" : $", {F(d)} dims")}.
                - **Similarity**: sim(q, p) = E_Q(q)ᵀ E_P(p); passages are pre-encoded and indexed with FAISS for maximum inner product search.
                - **Output**: the top-k passages per question (k = 20 and 100 for evaluation).
                - **Loss**: negative log-likelihood of the positive passage against in-batch negatives plus one BM25 hard negative per question.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "Adam", "Adam | AdamW", "Karpukhin et al. 2020")
            .Num("learning_rate", 1e-5, "float", "5e-6 – 5e-5", "DPR: 1e-5")
            .Num("batch_size", 128, "int", "16 – 512", "DPR: 128 questions, in-batch negatives")
            .Num("per_gpu_batch_size", 16, "int", "2 – 64", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 8", "accumulation does not add in-batch negatives")
            .Num("epochs", 40, "int", "10 – 100", "DPR: 40 epochs for NQ/TriviaQA/SQuAD, 100 for small sets")
            .Num("warmup_steps", 1237, "int", "0 – 5000", "linear warm-up then linear decay")
            .Text("lr_schedule", "linear", "linear", "DPR")
            .Num("dropout", 0.1, "float", "0 – 0.2", "DPR: 0.1")
            .Num("hard_negatives", 1, "int", "0 – 7", "DPR: one BM25 negative per question")
            .Num("max_seq_length", 256, "int", "64 – 512", "passage length limit")
            .Num("max_question_length", 256, "int", "16 – 256", "")
            .Num("grad_clip", 2.0, "float", "0 – 5", "DPR repository default")
            .Text("mixed_precision", "fp16", "fp32 | fp16", "DPR trains with apex fp16"),
        GbPerSample = 1.6, InputSizeParameter = "max_seq_length", ReferenceInputSize = 256, InputSizeMemoryExponent = 1.3,
        MakeFaster = (i, _) =>
        {
            i.Recipe.Adjust("max_question_length", 64, "faster inference: questions are short, 64 tokens cover > 99% of NQ questions");
            return "inference cost sits in the question encoder (passages are indexed once): questions capped at 64 tokens encode about 4× faster with no measurable recall loss; for more speed replace E_Q by a 6-layer distilled BERT (about 2× faster again, −1 to −2 points top-20)";
        },
        References =
        [
            new(@"natural questions|\bnq\b", "top-20 retrieval accuracy", 78.4, "DPR single, NQ test (Karpukhin et al. 2020, Table 2)"),
            new(@"trivia", "top-20 retrieval accuracy", 79.4, "DPR single, TriviaQA test (Karpukhin et al. 2020, Table 2)"),
        ],
        TrainTemplate = "Families/Dpr/train.py", Requirements = TextRequirements, LearnsFromInBatchNegatives = true,
        AdaptToDataSize = a =>
        {
            if (a.Samples >= 20_000) return;
            a.Recipe.Adjust("epochs", 100, $"{a.Rows}: DPR trains small sets (TREC, WQ) for 100 epochs");
            a.Epochs = 100;
        },
    };
}
