"""What several topics really share: the compute device and seeding (`device`), safe loading of uploaded
images (`images`) and weights (`safe_load`), the embedded samples (`samples`) and VGG19 features (`vgg`)."""
