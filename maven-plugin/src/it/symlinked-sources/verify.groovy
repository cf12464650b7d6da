def out = new File(basedir, 'target/generated-sources/nnc/com/example/nn')
assert new File(out, 'Top.java').isFile()
assert new File(out, 'shared/Extra.java').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: compiled 2 of 2 .nn files')
assert log.readLines().findAll { it.contains('loop') && it.contains('[WARNING] nnc: skipping') }.size() == 1
assert new File(basedir, 'target/surefire-reports/TEST-com.example.nn.shared.ExtraGradientTest.xml').isFile()
return true
