"""Recorded gameplay datasets, behaviour-cloning models and the trainer. Only training code imports torch."""
