assert new File(basedir, 'models/target/generated-sources/nnc/com/example/models/Chain.java').isFile()
assert new File(basedir, 'app/target/surefire-reports/TEST-com.example.app.UsesModelTest.xml').isFile()
assert new File(basedir, 'models/target/surefire-reports/TEST-com.example.models.ChainGradientTest.xml').isFile()
return true
