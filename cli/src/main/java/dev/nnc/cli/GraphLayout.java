package dev.nnc.cli;

import dev.nnc.compiler.inspect.Picture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.LayerConstraint;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.options.HierarchyHandling;
import org.eclipse.elk.core.options.PortConstraints;
import org.eclipse.elk.core.options.PortSide;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.ElkPort;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Places a {@link Picture} left to right with Eclipse ELK's layered algorithm, in process:
 * a function's inputs in the first layer (a model's weights next to their use), each wire routed orthogonally through a label
 * slot as wide as its texts, so the value sits above the wire and the gradient below it and no
 * two labels overlap. A box's inputs enter on its left in operand order (top to bottom), so
 * {@code a / b} shows which wire is which. Layer instances become nested boxes laid out with the
 * rest (one layout over the whole hierarchy).
 */
final class GraphLayout {
  /** A rectangle in picture coordinates. */
  record Rect(double x, double y, double w, double h) {}

  /** A wire's path (at least two points) and the slot of its texts, null if it has none. */
  record Route(Picture.Wire wire, List<double[]> points, Rect label) {}

  /** The placed picture. */
  record Placed(Picture picture, double width, double height, Map<String, Rect> boxes,
      List<Route> routes, Map<String, Rect> groups) {}

  /** Room for a group's title above its boxes. */
  static final double GROUP_TITLE = 18;
  private static final double MARGIN = 12;

  static {
    LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(
        new LayeredMetaDataProvider());
  }

  private GraphLayout() {}

  /** The size of a box: wide enough for its label, caption and shape. */
  static Rect boxSize(Picture.Box b) {
    double w = Math.max(GraphStyle.width(b.label(), GraphStyle.LABEL_SIZE),
        Math.max(GraphStyle.width(b.caption(), GraphStyle.CAPTION_SIZE),
            GraphStyle.width(b.shape(), GraphStyle.CAPTION_SIZE))) + 2 * GraphStyle.BOX_PAD;
    double h = GraphStyle.LABEL_SIZE + 2 * GraphStyle.BOX_PAD
        + (b.caption().isEmpty() ? 0 : GraphStyle.CAPTION_SIZE + 2)
        + (b.shape().isEmpty() ? 0 : GraphStyle.CAPTION_SIZE + 2);
    return new Rect(0, 0, Math.max(w, 36), h);
  }

  /** The lines of a wire text ({@code \n} separates them); none for an empty text. */
  static String[] lines(String text) {
    return text.isEmpty() ? new String[0] : text.split("\n");
  }

  static Placed place(Picture picture) {
    ElkNode root = ElkGraphUtil.createGraph();
    root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
    root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
    root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
    root.setProperty(CoreOptions.HIERARCHY_HANDLING, HierarchyHandling.INCLUDE_CHILDREN);
    root.setProperty(CoreOptions.RANDOM_SEED, 1);
    root.setProperty(CoreOptions.SPACING_NODE_NODE, 18.0);
    root.setProperty(CoreOptions.SPACING_EDGE_LABEL, 2.0);
    root.setProperty(CoreOptions.SPACING_EDGE_EDGE, 8.0);
    // tight between layers: a model has twice as many layers as boxes in a row (every wire's
    // label takes a layer of its own), so each point saved here is saved some twenty times
    root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 6.0);
    root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 4.0);
    root.setProperty(LayeredOptions.SPACING_EDGE_EDGE_BETWEEN_LAYERS, 4.0);
    root.setProperty(CoreOptions.PADDING, new org.eclipse.elk.core.math.ElkPadding(MARGIN));

    Map<String, ElkNode> groups = new LinkedHashMap<>();
    for (Picture.Group g : picture.groups()) {
      ElkNode node = ElkGraphUtil.createNode(root);
      node.setIdentifier(g.id());
      node.setProperty(CoreOptions.PADDING,
          new org.eclipse.elk.core.math.ElkPadding(GROUP_TITLE + 8, 10, 10, 10));
      groups.put(g.id(), node);
    }
    Map<String, ElkNode> nodes = new LinkedHashMap<>();
    Map<String, List<ElkPort>> inPorts = new HashMap<>();
    Map<String, ElkPort> outPorts = new HashMap<>();
    Map<String, Integer> slots = new HashMap<>();
    for (Picture.Wire w : picture.wires()) {
      slots.merge(w.to(), w.slot() + 1, Math::max);
    }
    for (Picture.Box b : picture.boxes()) {
      // A layer instance's weights stay outside its frame, just left of it: ELK lays a nested
      // box out as one block in a single layer of the whole, so weights inside it would cost the
      // frame a layer of its own (and push what else reads them, fc1.W^2, past the frame).
      ElkNode parent = b.kind() != Picture.Kind.INPUT && b.group() != null
          && groups.containsKey(b.group()) ? groups.get(b.group()) : root;
      ElkNode node = ElkGraphUtil.createNode(parent);
      node.setIdentifier(b.id());
      Rect size = boxSize(b);
      node.setDimensions(size.w(), size.h());
      node.setProperty(CoreOptions.PORT_CONSTRAINTS, PortConstraints.FIXED_ORDER);
      if (b.kind() == Picture.Kind.INPUT && picture.groups().isEmpty()) {
        node.setProperty(LayeredOptions.LAYERING_LAYER_CONSTRAINT, LayerConstraint.FIRST);
      }
      List<ElkPort> ports = new ArrayList<>();
      int count = slots.getOrDefault(b.id(), 0);
      for (int i = 0; i < count; i++) {
        ElkPort port = ElkGraphUtil.createPort(node);
        port.setDimensions(0, 0);
        port.setProperty(CoreOptions.PORT_SIDE, PortSide.WEST);
        // FIXED_ORDER on the west side runs bottom to top: the first operand on top.
        port.setProperty(CoreOptions.PORT_INDEX, count - 1 - i);
        ports.add(port);
      }
      inPorts.put(b.id(), ports);
      if (b.kind() != Picture.Kind.OUTPUT) {
        ElkPort out = ElkGraphUtil.createPort(node);
        out.setDimensions(0, 0);
        out.setProperty(CoreOptions.PORT_SIDE, PortSide.EAST);
        outPorts.put(b.id(), out);
      }
      nodes.put(b.id(), node);
    }
    Map<ElkEdge, Picture.Wire> edges = new LinkedHashMap<>();
    for (Picture.Wire w : picture.wires()) {
      ElkEdge edge = ElkGraphUtil.createSimpleEdge(outPorts.get(w.from()),
          inPorts.get(w.to()).get(w.slot()));
      ElkGraphUtil.updateContainment(edge);
      if (!w.value().isEmpty() || !w.gradient().isEmpty()) {
        ElkLabel label = ElkGraphUtil.createLabel(w.value() + "\n" + w.gradient(), edge);
        label.setDimensions(labelWidth(w), labelHeight(w));
        label.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, EdgeLabelPlacement.CENTER);
        label.setProperty(CoreOptions.EDGE_LABELS_INLINE, true);
      }
      edges.put(edge, w);
    }

    new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

    Map<String, Rect> boxRects = new LinkedHashMap<>();
    for (Map.Entry<String, ElkNode> e : nodes.entrySet()) {
      boxRects.put(e.getKey(), absolute(e.getValue()));
    }
    Map<String, Rect> groupRects = new LinkedHashMap<>();
    for (Map.Entry<String, ElkNode> e : groups.entrySet()) {
      groupRects.put(e.getKey(), absolute(e.getValue()));
    }
    List<Route> routes = new ArrayList<>();
    for (Map.Entry<ElkEdge, Picture.Wire> e : edges.entrySet()) {
      ElkEdge edge = e.getKey();
      Rect origin = edge.getContainingNode() == root ? new Rect(0, 0, 0, 0)
          : absolute(edge.getContainingNode());
      List<double[]> points = new ArrayList<>();
      for (ElkEdgeSection s : edge.getSections()) {
        add(points, origin, s.getStartX(), s.getStartY());
        for (ElkBendPoint p : s.getBendPoints()) {
          add(points, origin, p.getX(), p.getY());
        }
        add(points, origin, s.getEndX(), s.getEndY());
      }
      Rect label = null;
      if (!edge.getLabels().isEmpty()) {
        ElkLabel l = edge.getLabels().get(0);
        label = new Rect(origin.x() + l.getX(), origin.y() + l.getY(), l.getWidth(),
            l.getHeight());
      }
      routes.add(new Route(e.getValue(), points, label));
    }
    return new Placed(picture, root.getWidth(), root.getHeight(), boxRects, routes, groupRects);
  }

  /** As wide as the longest line of the wire's value and gradient. */
  static double labelWidth(Picture.Wire w) {
    double width = 0;
    for (String text : new String[] {w.value(), w.gradient()}) {
      for (String line : lines(text)) {
        width = Math.max(width, GraphStyle.width(line, GraphStyle.WIRE_SIZE));
      }
    }
    return width + 6;
  }

  /**
   * Tall enough for the value's lines above the wire and the gradient's below; symmetric, since
   * the wire passes through the middle of its label.
   */
  static double labelHeight(Picture.Wire w) {
    int lines = Math.max(lines(w.value()).length, lines(w.gradient()).length);
    return 2 * lines * (GraphStyle.WIRE_SIZE + 2) + GraphStyle.WIRE_GAP;
  }

  private static void add(List<double[]> points, Rect origin, double x, double y) {
    // snapped to a fine grid: ELK can end a horizontal stretch one ulp off its start, and a
    // stretch must be exactly level for the writer to find the wire under its label
    double[] p = {snap(origin.x() + x), snap(origin.y() + y)};
    if (points.isEmpty() || points.get(points.size() - 1)[0] != p[0]
        || points.get(points.size() - 1)[1] != p[1]) {
      points.add(p);
    }
  }

  private static double snap(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  /** The rectangle of {@code node} in the coordinates of the whole picture. */
  private static Rect absolute(ElkNode node) {
    double x = node.getX();
    double y = node.getY();
    for (ElkNode p = node.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
      x += p.getX();
      y += p.getY();
    }
    return new Rect(x, y, node.getWidth(), node.getHeight());
  }
}
