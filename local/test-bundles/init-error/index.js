// A function whose module fails while loading (the init phase), like a bundle missing a dependency.
throw new Error('cannot initialise: configuration missing');
