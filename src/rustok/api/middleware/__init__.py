"""The edge every HTTP request passes (`edge.Edge`) and the parts it runs in order."""
