dependencies = ['torch']
from x import y

def resnet18(pretrained=False, **kwargs):
    return 1

def alexnet(**kwargs):
    pass

def _private():
    pass

class NotAnEntry:
    def method(self): pass

async def later(x):
    pass
