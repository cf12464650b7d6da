def out = new File(basedir, 'target/generated-sources/nnc/com/example/nn')
assert new File(out, 'Kept.java').isFile()
assert !new File(out, 'Removed.java').exists() : 'Removed.java should be gone'
assert !new File(basedir, 'target/generated-test-sources/nnc/com/example/nn/RemovedGradientTest.java').exists()
def lastRun = new File(basedir, 'target/nnc-maven-plugin/last-run.txt').text
assert lastRun.contains('regenerated=0') : lastRun
assert lastRun.contains('deleted=2') : lastRun
return true
