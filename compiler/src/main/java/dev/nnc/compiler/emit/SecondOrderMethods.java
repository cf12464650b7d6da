package dev.nnc.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import javax.lang.model.element.Modifier;

/**
 * The second-order and forward-mode methods of a function's class: {@code hvp} (the
 * Hessian-vector product, left in public fields {@code hvp} + the parameter's name), {@code jvp}
 * (the Jacobian-vector product, returned) and {@code hessian} (the whole Hessian in the public
 * row-major field {@code hessian}, one {@code hvp} per basis direction). Each runs the
 * statements its results need, or the chunk methods of a split body; none allocates.
 */
final class SecondOrderMethods {
  private static final ClassName COMPILED_FUNCTION =
      ClassName.get("dev.nnc.runtime", "CompiledFunction");

  private final FunctionPlan plan;
  private final DerivedFunction derived;
  private final Code code;
  private final ElementType type;
  private final BiFunction<List<Fusion.Group>, Boolean, CodeBlock> statements;

  SecondOrderMethods(FunctionPlan plan, Code code, ElementType type,
      BiFunction<List<Fusion.Group>, Boolean, CodeBlock> statements) {
    this.plan = plan;
    this.derived = plan.derived;
    this.code = code;
    this.type = type;
    this.statements = statements;
  }

  /** The result fields, the basis buffers of hessian(), and a chunked jvp's stand-in seed. */
  static void addFields(TypeSpec.Builder cls, FunctionPlan plan, TypeName elem) {
    DerivedFunction derived = plan.derived;
    for (Node.Var p : plan.params()) {
      String doc = "Part of the Hessian-vector product for {@code "
          + JavaNames.javadocSafe(p.name()) + "}" + (p.shape().isScalar() ? "" : " " + p.shape())
          + ", set by hvp.\n";
      if (p.shape().isScalar()) {
        cls.addField(FieldSpec.builder(elem, plan.hvpField(p), Modifier.PUBLIC).addJavadoc(doc)
            .build());
      } else {
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem), plan.hvpField(p), Modifier.PUBLIC,
            Modifier.FINAL).addJavadoc(doc).initializer("new $T[$L]", elem, p.shape().size())
            .build());
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem), plan.basisField(p),
            Modifier.PRIVATE, Modifier.FINAL)
            .initializer("new $T[$L]", elem, p.shape().size()).build());
      }
    }
    int size = derived.hessianSize();
    cls.addField(FieldSpec.builder(ArrayTypeName.of(elem), plan.hessianField(), Modifier.PUBLIC,
        Modifier.FINAL)
        .addJavadoc("The Hessian [$L, $L] after hessian, row-major, the parameters flattened in"
            + " declaration order.\n", size, size)
        .initializer("new $T[$L]", elem, size * size).build());
    if (!derived.value().shape().isScalar()) {
      cls.addField(FieldSpec.builder(ArrayTypeName.of(elem), plan.jvpField(), Modifier.PUBLIC,
          Modifier.FINAL).addJavadoc("The Jacobian-vector product " + derived.value().shape()
              + " after jvp.\n")
          .initializer("new $T[$L]", elem, derived.value().shape().size()).build());
    }
  }

  private TypeName elem() {
    return type == ElementType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private TypeName typeOf(Node n) {
    return n.shape().isScalar() ? elem() : ArrayTypeName.of(elem());
  }

  /** {@code void hvp(params..., [upstream], directions...)}. */
  MethodSpec hvp() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("hvp").addModifiers(Modifier.PUBLIC);
    List<Node.Var> inputs = new ArrayList<>(plan.inputs());
    inputs.addAll(plan.directions());
    for (Node.Var p : inputs) {
      m.addParameter(typeOf(p), plan.name(p));
    }
    m.addJavadoc("Computes the Hessian times the direction {@code v*} (one per parameter)"
        + (derived.upstream() != null ? " of {@code sum(upstream * value)}" : "")
        + " and stores it in the hvp* fields, without forming the Hessian.\n");
    List<Node> roots = derived.hvp();
    body(m, inputs, roots, true);
    List<Node.Var> params = plan.params();
    for (int i = 0; i < params.size(); i++) {
      Node.Var p = params.get(i);
      Node h = roots.get(i);
      if (p.shape().isScalar()) {
        m.addStatement("this.$L = $L", plan.hvpField(p), code.at(h, "0", plan::name));
      } else {
        m.beginControlFlow("for (int i = 0; i < $L; i++)", p.shape().size());
        m.addStatement("$L[i] = $L", plan.hvpField(p), code.at(h, "i", plan::name));
        m.endControlFlow();
      }
    }
    return m.build();
  }

  /** {@code jvp(params..., directions...)}: J v, a number or the value-shaped field. */
  MethodSpec jvp() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("jvp").addModifiers(Modifier.PUBLIC);
    List<Node.Var> inputs = new ArrayList<>(plan.params());
    inputs.addAll(plan.directions());
    for (Node.Var p : inputs) {
      m.addParameter(typeOf(p), plan.name(p));
    }
    Node jvp = derived.jvp();
    boolean scalar = derived.value().shape().isScalar();
    m.returns(scalar ? elem() : ArrayTypeName.of(elem()));
    m.addJavadoc("The directional derivative of the value along the direction {@code v*} (one"
        + " per parameter): J v, forward mode" + (scalar ? "" : ", of the value's shape") + ".\n");
    if (plan.chunked() && derived.upstream() != null) {
      // chunks of the backward pass read the seed, which J v does not depend on
      m.addStatement("this.$L = this.$L", plan.name(derived.upstream()), plan.jvpField());
    }
    body(m, inputs, List.of(jvp), false);
    if (scalar) {
      m.addStatement("return $L", code.at(jvp, "0", plan::name));
    } else {
      m.beginControlFlow("for (int i = 0; i < $L; i++)", jvp.shape().size());
      m.addStatement("$L[i] = $L", plan.jvpField(), code.at(jvp, "i", plan::name));
      m.endControlFlow();
      m.addStatement("return $L", plan.jvpField());
    }
    return m.build();
  }

  /** Checks the arguments and runs the statements {@code roots} need. */
  private void body(MethodSpec.Builder m, List<Node.Var> inputs, List<Node> roots,
      boolean withUpstream) {
    for (Node.Var p : inputs) {
      if (!p.shape().isScalar()) {
        m.addStatement("$T.checkLength($S, $L, $L)", COMPILED_FUNCTION,
            p.name().replace("$", ""), plan.name(p), p.shape().size());
      }
    }
    if (plan.chunked()) {
      for (Node.Var p : inputs) {
        m.addStatement("this.$L = $L", plan.name(p), plan.name(p));
      }
      List<String> chunks = new ArrayList<>(plan.forwardChunkNames());
      chunks.addAll(plan.backwardChunkNames());
      chunks.addAll(plan.secondChunkNames());
      for (String chunk : chunks) {
        m.addStatement("$L()", chunk);
      }
      return;
    }
    m.addCode(statements.apply(plan.needed(plan.forwardChunks().get(0), roots), false));
    m.addCode(statements.apply(plan.needed(plan.backwardChunks().get(0), roots), true));
    m.addCode(statements.apply(plan.needed(plan.secondChunks().get(0), roots), true));
  }

  /** {@code hessian(params..., [upstream])}: one hvp per basis direction, row by row. */
  MethodSpec hessian() {
    int size = derived.hessianSize();
    MethodSpec.Builder m = MethodSpec.methodBuilder("hessian").addModifiers(Modifier.PUBLIC)
        .returns(ArrayTypeName.of(elem()));
    for (Node.Var p : plan.inputs()) {
      m.addParameter(typeOf(p), plan.name(p));
    }
    m.addJavadoc("Computes the Hessian" + (derived.upstream() != null
        ? " of {@code sum(upstream * value)}" : "") + " with respect to all parameters, flattened"
        + " in declaration order, into the row-major field {@code $L} [$L, $L] (one hvp per"
        + " row), and returns it.\n", plan.hessianField(), size, size);
    List<Node.Var> params = plan.params();
    List<String> args = new ArrayList<>();
    for (Node.Var p : plan.inputs()) {
      args.add(plan.name(p));
    }
    m.beginControlFlow("for (int j = 0; j < $L; j++)", size);
    int offset = 0;
    for (Node.Var p : params) {
      if (p.shape().isScalar()) {
        args.add("j == " + offset + " ? 1 : 0");
      } else {
        args.add(plan.basisField(p));
        m.beginControlFlow("if (j >= $L && j < $L)", offset, offset + p.shape().size())
            .addStatement("$L[j - $L] = 1", plan.basisField(p), offset).endControlFlow();
      }
      offset += p.shape().size();
    }
    m.addStatement("hvp($L)", String.join(", ", args));
    offset = 0;
    for (Node.Var p : params) {
      if (p.shape().isScalar()) {
        m.addStatement("$L[j * $L + $L] = $L", plan.hessianField(), size, offset,
            plan.hvpField(p));
      } else {
        m.addStatement("System.arraycopy($L, 0, $L, j * $L + $L, $L)", plan.hvpField(p),
            plan.hessianField(), size, offset, p.shape().size());
        m.beginControlFlow("if (j >= $L && j < $L)", offset, offset + p.shape().size())
            .addStatement("$L[j - $L] = 0", plan.basisField(p), offset).endControlFlow();
      }
      offset += p.shape().size();
    }
    m.endControlFlow();
    m.addStatement("return $L", plan.hessianField());
    return m.build();
  }
}
