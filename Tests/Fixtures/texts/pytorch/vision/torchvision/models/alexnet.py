import torch.nn as nn


def alexnet(*, weights=None, progress=True, **kwargs):
    raise NotImplementedError("fixture: the layers are left out")
