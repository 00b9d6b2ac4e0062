import torch.nn as nn


class TinyEncoder(nn.Module):
    # BERT-shaped and random: enough to check the training step without downloading a checkpoint.
    def __init__(self, vocab=1000, width=64, layers=2, heads=4, max_len=64):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, width), nn.Embedding(max_len, width)
        layer = nn.TransformerEncoderLayer(width, heads, width * 4, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.width = width

    def forward(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.encoder(self.tokens(ids) + self.positions(positions))


def pretrained(name):
    from transformers import AutoModel, AutoTokenizer  # full runs only
    return AutoModel.from_pretrained(name), AutoTokenizer.from_pretrained(name)
