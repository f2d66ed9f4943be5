"""API views: resolve the caller and the object, call one operation, serialise the result."""
