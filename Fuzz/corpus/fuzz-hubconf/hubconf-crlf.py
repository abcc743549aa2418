dependencies = ['torch']

def yolop(pretrained=True):
    return 1
