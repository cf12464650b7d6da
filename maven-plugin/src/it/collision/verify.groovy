def log = new File(basedir, 'build.log').text
def src = new File(basedir, 'src/main/nn').canonicalFile
def n = new File(src, 'n.nn').path
def m = new File(src, 'm.nn').path
def errors = log.readLines().findAll { it.contains('would generate class') }
assert errors.size() == 1 : "expected one collision error, got ${errors}"
assert errors[0].contains("${n}:3:4: error: fn f would generate class com.example.nn.F, which the declaration at ${m}:2:4 already generates") : errors[0]
assert log.contains('fn f(y) = y + 1;\n   ^')
assert !new File(basedir, 'target/generated-sources/nnc/com/example/nn/F.java').exists() : 'nothing is written'
return true
