def log = new File(basedir, 'build.log').text
def first = log.readLines().findAll { it.contains('broken.nn:2:15: error: expected an expression after') }
assert first.size() == 1 : "expected the syntax error once, got ${first}"
assert log.contains('nnc: 1 error in .nn sources')
assert !new File(basedir, 'target/generated-sources/nnc/nnc/generated/F.java').exists()
return true
