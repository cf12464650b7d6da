// The generated sources, the generated gradient tests and the user's own test all ran.
def generated = new File(basedir, 'target/generated-sources/nnc/com/example/nn/Quadrants.java')
assert generated.isFile() : "missing ${generated}"
assert new File(basedir, 'target/generated-sources/nnc/com/example/nn/Margin.java').isFile()
def reports = new File(basedir, 'target/surefire-reports')
assert new File(reports, 'TEST-com.example.nn.QuadrantsGradientTest.xml').isFile()
assert new File(reports, 'TEST-com.example.nn.MarginGradientTest.xml').isFile()
assert new File(reports, 'TEST-com.example.TrainTest.xml').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: compiled 1 of 1 .nn file')
assert log.contains('Tests run: 4, Failures: 0')
return true
