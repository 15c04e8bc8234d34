"""Analytics: pure ``compute_*(papers, ...) -> DataFrame`` functions, no Streamlit, no I/O."""
