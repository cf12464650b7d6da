def log = new File(basedir, 'build.log').text
def warnings = log.readLines().findAll { it.contains('JUnit Jupiter is not on the test class path') }
assert warnings.size() == 1 : "expected one warning, got ${warnings}"
assert warnings[0].contains('org.junit.jupiter:junit-jupiter')
assert new File(basedir, 'target/classes/com/example/nn/F.class').isFile()
assert !new File(basedir, 'target/generated-test-sources/nnc').exists()
assert log.contains('BUILD SUCCESS')
return true
