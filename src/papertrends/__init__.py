"""Paper Trends: analytics for collections of AI research papers."""

__version__ = "0.1.0"
