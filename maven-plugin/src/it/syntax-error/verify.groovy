def log = new File(basedir, 'build.log').text
def lines = log.readLines()
def first = lines.findIndexValues { it.contains('broken.nn:2:15: error: expected an expression after') }
assert first.size() == 1 : "expected the syntax error once, got ${first}"
// As the CLI prints it: the source line and a caret under the column.
int at = first[0] as int
assert lines[at + 1] == 'fn f(x) = x + ;'
assert lines[at + 2] == '              ^'
assert !log.contains('broken.nn [2:15]') : 'printed a second time in the build context format'
assert log.contains('nnc: 1 error in .nn sources')
assert !new File(basedir, 'target/generated-sources/nnc/com/example/nn/F.java').exists()
return true
