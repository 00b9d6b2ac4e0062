namespace AutoMLGpt.Core.Cards;

/// <summary>A one-click example: the cards of one of the AutoML-GPT paper's worked examples.</summary>
public sealed record ExampleExperiment(string Key, string Title, Func<ExperimentCards> Create)
{
    /// <summary>The example's data shipped with the app (a gzip CSV resource), so it can be trained at once; null for examples without.</summary>
    public string? DataResource { get; init; }
}

/// <summary>The paper's worked examples (Zhang et al. 2023, Sections 4.2–4.4), as cards the user can load and edit.</summary>
public static class PaperExamples
{
    public static ExampleExperiment Coco { get; } = new("coco-detr", "COCO + Swin/DETR detection", () => new(
        new DataCard
        {
            Name = "COCO 2017", Modality = DataModality.Image, Task = MlTask.ObjectDetection,
            LabelSpace = "person, bicycle, car, motorcycle, airplane, bus, train, truck, boat, traffic light, fire hydrant, stop sign, parking meter, bench, bird, cat, dog, horse, sheep, cow, elephant, bear, zebra, giraffe, backpack, umbrella, handbag, tie, suitcase, frisbee, skis, snowboard, sports ball, kite, baseball bat, baseball glove, skateboard, surfboard, tennis racket, bottle, wine glass, cup, fork, knife, spoon, bowl, banana, apple, sandwich, orange, broccoli, carrot, hot dog, pizza, donut, cake, chair, couch, potted plant, bed, dining table, toilet, tv, laptop, mouse, remote, keyboard, cell phone, microwave, oven, toaster, sink, refrigerator, book, clock, vase, scissors, teddy bear, hair drier, toothbrush",
            Metrics = "mAP@[.5:.95], AP50, AP75", Samples = 118_287, Resolution = "640x480",
            Description = "Common Objects in Context: 118k training and 5k validation images of everyday scenes with 860k instance boxes in 80 categories.",
        },
        new ModelCard
        {
            Name = "DETR with Swin-T backbone", Structure = "Swin-T backbone + Transformer encoder-decoder (DETR)",
            Description = "End-to-end detector: set prediction with bipartite matching, no anchors and no NMS.",
            Parameters = [new("backbone", "swin_tiny"), new("enc_layers", "6"), new("dec_layers", "6"), new("hidden_dim", "256"), new("nheads", "8"), new("dim_feedforward", "2048"), new("num_queries", "100")],
        },
        new ExperimentRequest { Requests = "Inference faster than 10 FPS on one GPU; report AP for small, medium and large objects.", Resources = "4 × NVIDIA A5000" }));

    public static ExampleExperiment NaturalQuestions { get; } = new("nq-dpr", "Natural Questions + DPR", () => new(
        new DataCard
        {
            Name = "Natural Questions (open)", Modality = DataModality.Text, Task = MlTask.QuestionAnswering,
            LabelSpace = "answer spans in Wikipedia passages (100-word passages from a 21M-passage December 2018 dump)",
            Metrics = "top-20 retrieval accuracy, top-100 retrieval accuracy, exact match", Samples = 79_168,
            Description = "Real anonymised Google search questions with answers annotated in Wikipedia; 79,168 train, 8,757 dev and 3,610 test questions.",
        },
        new ModelCard
        {
            Name = "DPR", Structure = "BERT-base question encoder + BERT-base passage encoder, dot-product retrieval",
            Description = "Dense Passage Retriever trained with in-batch negatives and BM25 hard negatives.",
            Parameters = [new("hidden_size", "768"), new("num_layers", "12"), new("num_heads", "12"), new("max_seq_length", "256"), new("projection_dim", "0")],
        },
        new ExperimentRequest { Requests = "Faster inference for the retriever.", Resources = "8 × NVIDIA V100 32GB" }));

    public static ExampleExperiment Adult { get; } = new("adult-xgboost", "UCI Adult + XGBoost", () => new(
        new DataCard
        {
            Name = "UCI Adult", Modality = DataModality.Tabular, Task = MlTask.BinaryClassification,
            LabelSpace = "<=50K, >50K", Metrics = "accuracy, AUC", Samples = 48_842, Features = 14,
            LabelColumn = "income",
            NumericColumns = "age, fnlwgt, education_num, capital_gain, capital_loss, hours_per_week",
            CategoricalColumns = "workclass, education, marital_status, occupation, relationship, race, sex, native_country",
            Description = "Individuals from the 1994 US Census; predict whether annual income exceeds $50K (about 24% do). Missing values in workclass, occupation and native_country.",
        },
        new ModelCard
        {
            Name = "XGBoost", Structure = "Gradient-boosted decision trees",
            Description = "XGBoost with histogram tree building and native categorical support.",
            Parameters = [new("max_depth", "6"), new("tree_method", "hist")],
        },
        new ExperimentRequest { Requests = "Report AUC as well as accuracy.", Resources = "CPU only, 8 cores" })) { DataResource = "adult.csv.gz" };

    public static ExampleExperiment ImageNetSubset { get; } = new("imagenet100-vit", "ImageNet-100 + ViT classification", () => new(
        new DataCard
        {
            Name = "ImageNet-100 (subset)", Modality = DataModality.Image, Task = MlTask.MulticlassClassification,
            LabelSpace = "100 classes of ImageNet-1k (the CMC subset), e.g. American robin, Gila monster, hognose snake, garden spider, Doberman, …",
            Metrics = "top-1 accuracy, top-5 accuracy", Samples = 126_689, Resolution = "224x224",
            Description = "A 100-class subset of ImageNet-1k: about 1,300 training and 50 validation images per class.",
        },
        new ModelCard
        {
            Name = "ViT-B/16", Structure = "Vision Transformer, patch 16, [CLS] head",
            Description = "ViT-Base fine-tuned from the ImageNet-21k checkpoint.",
            Parameters = [new("patch_size", "16"), new("hidden_size", "768"), new("num_layers", "12"), new("num_heads", "12"), new("mlp_dim", "3072"), new("image_size", "224")],
        },
        new ExperimentRequest { Requests = "Higher accuracy matters more than training time.", Resources = "2 × NVIDIA RTX 3090" }));

    public static IReadOnlyList<ExampleExperiment> All { get; } = [Coco, NaturalQuestions, Adult, ImageNetSubset];
}
