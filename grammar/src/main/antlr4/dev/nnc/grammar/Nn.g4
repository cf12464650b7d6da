/*
 * The grammar of the .nn language; docs/language.md is the user's reference for what each
 * construct means, how it is checked and how it is differentiated.
 *
 * Every alternative that the AST builder must tell apart carries a label, so
 * each gets its own visitor method. Only `fn`, `let`, `return`, `layer` and
 * `model` are reserved; the other statement words (`import`, `param`, `input`,
 * `loss`, ...) are contextual and stay usable as names.
 */
grammar Nn;

program
    : (importDecl | declaration)* EOF
    ;

// import "layers.nn";   (a file, relative to the importing one)   import nn;   (a library)
importDecl
    : IMPORT (path=STRING | library=ident) ';'
    ;

declaration
    : fnDecl
    | layerDecl
    | modelDecl
    ;

// fn f(x, y) = x * y;            fn g(x) : f32 { let s = x; return s; }
// fn sp(x) = log(1 + exp(x)) grad(g) = g * sigmoid(x);
// fn m(x, y) = x * y grad(g) = (dx: g * y, dy: g * x);
fnDecl
    : FN name=ident '(' paramList? ')' (':' elemType=ident)? fnBody
    ;

fnBody
    : '=' body=expr (GRAD '(' upstream=ident ')' '=' gradBody)? ';'   # exprBody
    | block                                                           # blockBody
    ;

// The stated derivative: one expression, or one entry d<param> per parameter.
gradBody
    : '(' gradEntry (',' gradEntry)* ','? ')'   # gradTuple
    | expr                                      # gradSingle
    ;

gradEntry
    : name=ident ':' expr
    ;

block
    : '{' blockStmt* '}'
    ;

blockStmt
    : LET name=ident '=' expr ';'    # letStmt
    | RETURN expr ';'                # returnStmt
    ;

paramList
    : param (',' param)*
    ;

param
    : name=ident (':' shape)?
    ;

shape
    : '[' (dim (',' dim)*)? ']'
    ;

dim
    : INT      # intDim
    | ident    # symDim
    ;

// layer Dense(n_in, n_out)(x: [n_in]) { param W: [n_in, n_out] init he; return x @ W; }
layerDecl
    : LAYER name=ident '(' (ident (',' ident)*)? ')' '(' paramList? ')' '{' layerStmt* '}'
    ;

layerStmt
    : paramDecl                      # layerParam
    | LET name=ident '=' expr ';'    # layerLet
    | RETURN expr ';'                # layerReturn
    ;

// `param b init zeros;` without a shape is a scalar, like an untyped fn parameter
paramDecl
    : PARAM name=ident (':' shape)? (INIT init=ident ('(' argList? ')')?)? ';'
    ;

modelDecl
    : MODEL name=ident '{' modelStmt* '}'
    ;

modelStmt
    : INPUT name=ident ':' shape ';'                             # inputStmt
    | LABEL name=ident ':' CLASS '(' classes=INT ')' ';'         # labelStmt
    | TARGET name=ident ':' shape ';'                            # targetStmt
    | paramDecl                                                  # modelParam
    | LET name=ident '=' expr ';'                                # modelLet
    | OUTPUT name=ident '=' expr ';'                             # outputStmt
    | LOSS expr ';'                                              # lossStmt
    | OPTIMIZER name=ident '(' argList? ')' ';'                  # optimizerStmt
    ;

argList
    : arg (',' arg)*
    ;

arg
    : (name=ident ':')? expr
    ;

// Precedence, loosest first: comparison < additive < multiplicative/@ <
// unary minus < power (right-associative) < postfix. A bracketed list is the
// shape argument of reshape(x, [d1, d2]). ANTLR gives earlier
// alternatives of a left-recursive rule higher precedence.
expr
    : expr '.' member=ident                                  # memberExpr
    | expr '[' expr (',' expr)* ']'                          # indexExpr
    | callee=ident '(' argList? ')'                          # callExpr
    | <assoc=right> expr '^' expr                            # powExpr
    | '-' expr                                               # negExpr
    | '+' expr                                               # plusExpr
    | expr op=('*' | '/' | '@') expr                         # mulExpr
    | expr op=('+' | '-') expr                               # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr  # compareExpr
    | NUMBER                                                 # numberExpr
    | INT                                                    # intExpr
    | ident                                                  # nameExpr
    | '(' expr ')'                                           # parenExpr
    | '[' expr (',' expr)* ']'                               # listExpr
    ;

// Contextual keywords are legal names.
ident
    : ID | IMPORT | PARAM | INPUT | LABEL | TARGET | OUTPUT | LOSS | OPTIMIZER | INIT | CLASS
    | GRAD
    ;

FN        : 'fn';
LET       : 'let';
RETURN    : 'return';
LAYER     : 'layer';
MODEL     : 'model';
IMPORT    : 'import';
PARAM     : 'param';
INPUT     : 'input';
LABEL     : 'label';
TARGET    : 'target';
OUTPUT    : 'output';
LOSS      : 'loss';
OPTIMIZER : 'optimizer';
INIT      : 'init';
CLASS     : 'class';
GRAD      : 'grad';

INT    : [0-9]+ ;
NUMBER : [0-9]+ '.' [0-9]* EXPONENT?
       | '.' [0-9]+ EXPONENT?
       | [0-9]+ EXPONENT
       ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

ID : [A-Za-z_] [A-Za-z0-9_]* ;

// A file name in an import; no escapes, and it ends on its line.
STRING : '"' ~["\r\n]* '"' ;
// A string without its closing quote: one token, so the error names its start.
UNTERMINATED_STRING : '"' ~["\r\n]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
// A block comment that runs to the end of the file: one token, so the error names its start.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
WS            : [ \t\r\n\f]+ -> channel(HIDDEN);

// Anything else becomes one token so the parser reports it with its place.
UNKNOWN : . ;
