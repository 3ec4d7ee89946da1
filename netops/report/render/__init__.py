"""Renderers: each lays out a built :class:`~netops.report.model.Report` in one format."""
