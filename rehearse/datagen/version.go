package datagen

// OutputVersion names what Generate writes for a given snapshot, options
// and seed. Bump it in the same change as anything that changes a generated
// row, a row count or a table's contents (a generator, a plan decision, the
// load format): the data cache (rehearse/datacache) keys its filled
// datadirs by it, so an entry made by an older generator is never used.
// TestOutputVersion fails when the rows change and this does not.
const OutputVersion = 2
