// Every f got its own class in its folder's package, and all gradient tests ran.
def out = new File(basedir, 'target/generated-sources/nnc/com/example/nn')
['a/F.java', 'b/F.java', 'F.java', 'my_models/F.java'].each {
  assert new File(out, it).isFile() : "missing ${it}"
}
assert new File(out, 'a/F.java').text.contains('package com.example.nn.a;')
def reports = new File(basedir, 'target/surefire-reports')
['com.example.nn.a.FGradientTest', 'com.example.nn.b.FGradientTest', 'com.example.nn.FGradientTest',
 'com.example.nn.my_models.FGradientTest', 'com.example.UsesAllTest'].each {
  assert new File(reports, "TEST-${it}.xml").isFile() : "no report for ${it}"
}
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: compiled 4 of 4 .nn files')
assert log.contains('Tests run: 5, Failures: 0, Errors: 0')
return true
