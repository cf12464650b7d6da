def log = new File(basedir, 'build.log').text
assert log.contains('net.nn:3:8: error: cannot import "layers.nn": there is no file') : log
assert log.contains('uses.nn:1:8: error: cannot import "../layers.nn": there is no file') : log
def out = new File(basedir, 'target/generated-sources/nnc/com/example/nn')
assert new File(out, 'Square.java').isFile() : 'a failed build deletes nothing'
assert new File(out, 'Net.java').isFile()
def lastRun = new File(basedir, 'target/nnc-maven-plugin/last-run.txt').text
assert lastRun.contains('errors=2') : lastRun
return true
