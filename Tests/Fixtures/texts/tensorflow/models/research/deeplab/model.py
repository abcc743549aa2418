"""DeepLab v3+ model definition."""

import tensorflow as tf
