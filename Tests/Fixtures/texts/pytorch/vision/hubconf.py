# Optional list of dependencies required by the package
dependencies = ['torch']

from torchvision.models import alexnet as _alexnet, resnet18 as _resnet18


def _weights(name, pretrained):
    """The weights enum entry to load, or None for random initialisation."""
    return f"{name}_Weights.IMAGENET1K_V1" if pretrained else None


def resnet18(pretrained=False, progress=True, **kwargs):
    """ResNet-18 from `Deep Residual Learning for Image Recognition`."""
    return _resnet18(weights=_weights("ResNet18", pretrained), progress=progress, **kwargs)


def alexnet(pretrained=False, progress=True, **kwargs):
    """AlexNet from `One weird trick for parallelizing convolutional neural networks`."""
    return _alexnet(weights=_weights("AlexNet", pretrained), progress=progress, **kwargs)
