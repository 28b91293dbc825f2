/*
 * The implicit4j script language: load networks, compose them, rescale, check, verify and save.
 * A script is a list of statements, one per line or separated by ';'. Paths are strings,
 * relative to the script's folder. Comments run from '#' to the end of the line.
 *
 *   cnn  = onnx("mnist8.onnx")
 *   head = affine("head.csv")
 *   net  = cnn >> head                 # cascade
 *   check net require
 *   verify net against "mnist8.onnx", "head.onnx" samples 20
 *   save net to "net.i4j"
 *   robust net sigma 0.01 k 10 inputs "x.csv"
 *   attack net on "test.csv" method "gradient" sigma 0.1 k 1, 5, 20 clip 0, 1
 *   train small on "train.csv" layers 32, 16 epochs 5 test "test.csv"
 */
grammar Implicit;

@header {package org.implicit4j.dsl.parser;}

// ---- Scripts and statements -------------------------------------------------------------

script
    : sep* (statement (sep+ statement)*)? sep* EOF
    ;

sep
    : NEWLINE
    | ';'
    ;

statement
    : name=ID '=' expr                                                    #assign
    | 'info' expr                                                         #info
    | 'check' expr REQUIRE?                                               #check
    | 'verify' expr 'against' STRING (',' STRING)* samplesClause?         #verify
    | 'predict' expr 'on' input=STRING ('to' output=STRING)?              #predict
    | 'save' expr 'to' path=STRING                                        #save
    | 'export' expr 'to' path=STRING                                      #export
    | 'print' expr                                                        #print
    | 'robust' expr option*                                               #robust
    | 'attack' expr 'on' data=STRING option*                              #attack
    | 'train' name=ID ('from' expr)? 'on' data=STRING option*             #train
    ;

// Statement options: a name, then numbers (e.g. "k 1, 2, 5", "clip 0, 1") or a string; flags have no value.
option
    : key=ID (number (',' number)* | STRING)?
    ;

samplesClause
    : 'samples' INT
    ;

// ---- Model expressions, tightest binding first (ANTLR gives earlier alternatives precedence) --
// 0.5 * a scales an output; a + b and a - b sum outputs; a >> b cascades, loosest, left to right:
// "cnn >> 0.5 * h1 + 0.5 * h2" feeds cnn into the average of h1 and h2.

expr
    : primary                                                             #primaryExpr
    | number '*' expr                                                     #scale
    | expr op=('+' | '-') expr                                            #sum
    | expr '>>' expr                                                      #cascade
    ;

primary
    : '(' expr ')'                                                        #parens
    | ID                                                                  #reference
    | call                                                                #callExpr
    ;

// Named forms: loading, building, and the operators without a symbol.
call
    : 'onnx' '(' path=STRING (',' shape=STRING)? ')'                      #loadOnnx
    | 'model' '(' path=STRING ')'                                         #loadModel
    | 'affine' '(' matrix=STRING (',' bias=STRING)? ')'                   #affine
    | 'identity' '(' INT ')'                                              #identity
    | 'zeros' '(' rows=INT ',' cols=INT ')'                               #zeros
    | 'scalar' '(' INT ',' number ')'                                     #scalar
    | 'parallel' '(' expr ',' expr ')'                                    #parallel
    | 'concat' '(' expr ',' expr ')'                                      #concat
    | 'sum' '(' expr ',' expr ',' number ',' number ')'                   #weightedSum
    | 'gate' '(' expr ',' expr (',' activation ',' activation)? ')'        #gate
    | 'feedback' '(' expr (',' expr)? ',' gain ')'                        #feedback
    | 'rescale' '(' expr (',' number)? ')'                                #rescale
    ;

gain
    : number                                                              #scalarGain
    | STRING                                                              #matrixGain
    ;

// relu, identity, tanh, sigmoid, leaky_relu or leaky_relu(0.1)
activation
    : (ID | 'identity') ('(' number ')')?
    ;

number
    : '-'? (INT | FLOAT)
    ;

// ---- Tokens ---------------------------------------------------------------------------------

REQUIRE : 'require' ;
INT     : [0-9]+ ;
FLOAT   : [0-9]+ '.' [0-9]* ([eE] [+-]? [0-9]+)? | [0-9]+ [eE] [+-]? [0-9]+ | '.' [0-9]+ ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING  : '"' (~["\r\n\\] | '\\' .)* '"' ;
// A run of separators (newlines, ';', comments, blanks between them) is one token, so that long runs
// of empty lines or ';' parse in linear time.
NEWLINE : ( [ \t]* ( ';' | '\r'? '\n' | '#' ~[\r\n]* ) )+ ;
WS      : [ \t]+ -> skip ;
// Anything else is reported where it stands rather than silently dropped.
UNRECOGNIZED : . ;
