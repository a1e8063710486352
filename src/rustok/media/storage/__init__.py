"""Where media bytes live: a small interface (`base`) and one file per backend (`local`)."""
