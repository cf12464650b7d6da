def log = new File(basedir, 'build.log').text
assert log.contains('nnc:generate')
assert log.contains('nnc:help')
['sourceDirectory', 'outputDirectory', 'testOutputDirectory', 'packageName', 'precision',
 'generateTests', 'addSourceRoots', 'skip'].each {
  assert log.contains(it) : "help does not mention ${it}"
}
assert log.contains('BUILD SUCCESS')
return true
