from .alexnet import alexnet
from .resnet import resnet18
