"""The Streamlit app: the frame, the shared sidebar and the helpers pages share. The only
package that imports Streamlit."""
