"""The media library: uploaded files, their metadata and the storage backends that hold them."""
