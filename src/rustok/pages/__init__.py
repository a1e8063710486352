"""Pages and menus on content: pages with a template and ordered, typed blocks; menus."""
