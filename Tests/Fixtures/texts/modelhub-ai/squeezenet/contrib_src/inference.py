import onnxruntime as rt
from processing import ImageProcessor
from modelhublib.model import ModelBase


class Model(ModelBase):
    def __init__(self):
        self._imageProcessor = ImageProcessor(self._config)
        self._session = rt.InferenceSession("model/model.onnx")

    def infer(self, input):
        inputAsNpArr = self._imageProcessor.loadAndPreprocess(input)
        result = self._session.run(None, {self._session.get_inputs()[0].name: inputAsNpArr})[0]
        return self._imageProcessor.computeOutput(result)
