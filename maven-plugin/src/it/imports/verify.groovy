def out = new File(basedir, 'target/generated-sources/nnc/com/example/nn')
def lastRun = new File(basedir, 'target/nnc-maven-plugin/last-run.txt').text
// layers.nn, net.nn (imports it) and sub/uses.nn (imports ../layers.nn); not other.nn
assert lastRun.contains('regenerated=3') : lastRun
assert lastRun.contains('deleted=0') : lastRun
def net = new File(out, 'Net.java').text
assert net.contains(' layers.nn line 7: return s * x;') : 'the moved line of the imported file: ' + net
assert net.contains(' nn.nn line ') : 'lines of the standard library are named too'
assert new File(out, 'sub/Uses.java').isFile()
assert new File(basedir, 'target/surefire-reports/TEST-com.example.nn.NetGradientTest.xml').isFile() : 'build 1 ran the gradient tests'
return true
