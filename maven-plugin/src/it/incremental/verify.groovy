def lastRun = new File(basedir, 'target/nnc-maven-plugin/last-run.txt').text
assert lastRun.contains('regenerated=0') : lastRun
assert lastRun.contains('deleted=0') : lastRun
assert new File(basedir, 'target/generated-sources/nnc/com/example/nn/Quadrants.java').isFile()
return true
